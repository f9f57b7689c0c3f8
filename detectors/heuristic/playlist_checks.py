"""Check types for M3U channel lists: counts, names/groups vocabulary, stream URL shapes.

A check counts *entries* and scores them by ``mode``: ``count`` (entries / saturate),
``ratio`` (share of entries, so a 2,000-channel legal list with five "premium" hits stays low)
or ``absent`` (fires when nothing matches: "no credentials anywhere" is itself evidence).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from detectors.base import DetectorError
from detectors.heuristic.hosts import HostSet, url_host
from detectors.heuristic.m3u import Entry, Playlist
from detectors.heuristic.rules import CheckBase, Hit, compile_pattern
from detectors.heuristic.terms import TermIndex
from detectors.text import fold, shorten

Matcher = Callable[[Playlist], Hit]
EntryField = Literal["name", "group", "tvg-name", "tvg-id", "url"]


def _default_fields() -> list[EntryField]:
    return ["name", "group"]


class EntryCheckBase(CheckBase):
    """Scoring knobs shared by playlist checks."""

    mode: Literal["count", "ratio", "absent"] = "count"
    min_entries: int = Field(default=1, ge=1)
    min_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    saturate_ratio: float = Field(default=1.0, gt=0.0, le=1.0)

    def entry_score(self, matched: int, total: int) -> float:
        """Score for ``matched`` entries out of ``total`` under this check's mode."""
        if total < self.min_entries:
            return 0.0
        if self.mode == "absent":
            return 1.0 if matched == 0 else 0.0
        if self.mode == "ratio":
            ratio = matched / total
            if matched < self.min_count or ratio < self.min_ratio:
                return 0.0
            return min(1.0, ratio / self.saturate_ratio)
        return self.score(matched)


class EntriesCheck(EntryCheckBase):
    """How many entries the list has."""

    type: Literal["entries"]


class EntryTermsCheck(EntryCheckBase):
    """Entries whose fields contain a configured phrase (premium brands, "VIP", "PPV")."""

    type: Literal["entry_terms"]
    terms: dict[str, list[str]]
    fields: list[EntryField] = Field(default_factory=_default_fields)


class EntryUrlsCheck(EntryCheckBase):
    """Entries whose stream URL matches hosts and/or a regex (Xtream paths, credentials)."""

    type: Literal["entry_urls"]
    hosts: list[str] = Field(default_factory=list)
    pattern: str | None = None


class EntryRegexCheck(EntryCheckBase):
    """Entries where a regex matches one of the fields (reseller group prefixes...)."""

    type: Literal["entry_regex"]
    pattern: str
    fields: list[EntryField] = Field(default_factory=_default_fields)


PlaylistCheck = Annotated[
    EntriesCheck | EntryTermsCheck | EntryUrlsCheck | EntryRegexCheck,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[PlaylistCheck] = TypeAdapter(PlaylistCheck)


def _field(entry: Entry, name: str) -> str:
    if name == "name":
        return entry.name
    if name == "group":
        return entry.group
    if name == "url":
        return entry.url
    return entry.attrs.get(name, "")


def _label(entry: Entry) -> str:
    group = f" [{entry.group}]" if entry.group else ""
    return shorten(f"{entry.name or '?'}{group} {entry.url}", 120)


def _finish(check: EntryCheckBase, matched: list[Entry], total: int) -> Hit:
    examples = tuple(_label(entry) for entry in matched[:5])
    if check.mode == "absent" and not matched:
        examples = (f"none of {total} entries",)
    elif check.mode == "ratio" and total:
        examples = (f"{len(matched)}/{total} entries", *examples)
    return Hit(len(matched), examples, check.entry_score(len(matched), total))


def _entries(check: EntriesCheck) -> Matcher:
    def match(playlist: Playlist) -> Hit:
        total = len(playlist.entries)
        return Hit(total, (f"{total} entries",), check.entry_score(total, total))

    return match


def _entry_terms(check: EntryTermsCheck) -> Matcher:
    index = TermIndex(check.terms)

    def match(playlist: Playlist) -> Hit:
        texts = [
            fold(" | ".join(_field(entry, name) for name in check.fields))
            for entry in playlist.entries
        ]
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        joined = "\n".join(texts)
        hit_entries: set[int] = set()
        for hit in index.occurrences(joined, max_per_term=len(texts) or 1):
            hit_entries.add(bisect.bisect_right(starts, hit.start) - 1)
        matched = [playlist.entries[i] for i in sorted(hit_entries)]
        return _finish(check, matched, len(playlist.entries))

    return match


def _entry_urls(check: EntryUrlsCheck) -> Matcher:
    hosts = HostSet(check.hosts)
    pattern = compile_pattern(check.pattern) if check.pattern else None
    if not hosts and pattern is None:
        raise DetectorError("entry_urls needs hosts or a pattern")

    def match(playlist: Playlist) -> Hit:
        matched = [
            entry
            for entry in playlist.entries
            if (not hosts or hosts.match(url_host(entry.url)))
            and (pattern is None or pattern.search(entry.url))
        ]
        return _finish(check, matched, len(playlist.entries))

    return match


def _entry_regex(check: EntryRegexCheck) -> Matcher:
    pattern = compile_pattern(check.pattern)

    def match(playlist: Playlist) -> Hit:
        matched = [
            entry
            for entry in playlist.entries
            if any(pattern.search(_field(entry, name)) for name in check.fields)
        ]
        return _finish(check, matched, len(playlist.entries))

    return match


_BUILDERS: dict[type[CheckBase], Callable[[Any], Matcher]] = {
    EntriesCheck: _entries,
    EntryTermsCheck: _entry_terms,
    EntryUrlsCheck: _entry_urls,
    EntryRegexCheck: _entry_regex,
}


def build_check(raw: Mapping[str, Any]) -> tuple[CheckBase, Matcher]:
    """Validate a playlist check from config and compile its matcher."""
    try:
        check = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise DetectorError(f"invalid playlist check: {exc}") from exc
    return check, _BUILDERS[type(check)](check)
