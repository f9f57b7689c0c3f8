"""Release names ("Dune.Part.Two.2024.1080p.WEB-DL.x264-GROUP"): recognised, split, parsed.

Two parsers, because one is cheap and one is thorough. ``split_release`` is a regex: the
title is what precedes the first year, episode tag or scene tag; it runs on every candidate
string of a page. guessit (``parse_release``) knows every scene convention but costs ~8 ms a
name, so it runs only on names that matter (a catalog hit, a torrent's own name), at most a
few per content, and its answers are cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detectors.text import joined_lines, texts_with_match

# Scene/P2P tags: resolution, source, codec. One is enough to call a name a release.
_TAG_ALTERNATIVES = (
    r"2160p", r"1080p", r"720p", r"576p", r"480p", r"4k", r"uhd", r"blu-?ray", r"bdrip", r"brrip",
    r"bdremux", r"remux", r"web-?dl", r"web-?rip", r"webrip", r"hdtv", r"hdrip", r"dvdrip",
    r"dvdscr", r"hdcam", r"camrip", r"telesync", r"x264", r"x265", r"h\.?264", r"h\.?265", r"hevc",
    r"xvid", r"av1", r"10bit", r"ddp?5\.1", r"aac2?\.?0?", r"atmos", r"multi", r"truefrench",
    r"vostfr", r"dual(?:[ .-]audio)?", r"dublado", r"legendado", r"latino", r"subbed",
)


def _by_first_character(alternatives: Sequence[str]) -> str:
    """``a|b|...`` grouped by first character: ``1(?:080p|0bit)|2160p|...``.

    ``re`` tries the branches of an alternation one by one at every position; grouped, it
    tries one branch per first character. Alternatives starting with different characters
    never match at the same place, and each group keeps its order: same matches.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_TAG_PATTERN = rf"(?<![a-z0-9])(?:{_by_first_character(_TAG_ALTERNATIVES)})(?![a-z0-9])"
_TAGS = re.compile(_TAG_PATTERN, re.IGNORECASE)
# The same tags for folded (lower-case) text: case-sensitive, so ``re`` scans far faster.
_TAGS_FOLDED = re.compile(_TAG_PATTERN)
_YEAR = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])")
_EPISODE = re.compile(r"(?<![a-z0-9])s\d{1,2}(?:e\d{1,3})?(?![a-z0-9])|\bseason\s+\d", re.I)
_SEPARATORS = re.compile(r"[._]+")
_BRACKETS = re.compile(r"^\s*[\[(【][^\])】]{0,40}[\])】]\s*")
_MAX_NAME = 300


@dataclass(frozen=True)
class Release:
    """What a release name says: the title part, the year, whether it is an episode."""

    name: str
    title: str
    year: int | None
    episode: bool
    tags: tuple[str, ...]


def release_candidates(
    folded: Sequence[str], joined_starts: tuple[str, list[int]] | None = None
) -> list[int]:
    """Indices of the folded one-line texts that carry a scene tag (and are not too long).

    One regex pass over the texts joined by newlines (which no tag spans), instead of one
    call per text: a 50 KB page has ~700 link and text segments. ``joined_starts`` is
    ``joined_lines(folded)`` when the caller already has it.
    """
    joined, starts = joined_starts if joined_starts is not None else joined_lines(folded)
    found = texts_with_match(_TAGS_FOLDED, joined, starts)
    return [index for index in found if len(folded[index]) <= _MAX_NAME]


def looks_like_release(text: str) -> bool:
    """Whether ``text`` carries a scene tag (a resolution, source or codec)."""
    return len(text) <= _MAX_NAME and _TAGS.search(text) is not None


def split_release(text: str) -> Release | None:
    """The regex split of a release name, or None when ``text`` carries no scene tag.

    Remembered per text (a Release is immutable): an index site names the same releases on
    its listing pages, detail pages and feeds, and six regex passes a name add up.
    """
    return _split_release(text) if len(text) <= _MAX_NAME else None  # too long: no release


@lru_cache(maxsize=8192)
def _split_release(text: str) -> Release | None:
    if not looks_like_release(text):
        return None
    name = text.strip()
    body = _BRACKETS.sub("", name)  # "[group] Title..." prefixes
    tag_matches = list(_TAGS.finditer(body))  # the first is what _TAGS.search would find
    episode = _EPISODE.search(body)
    cuts = [m.start() for m in (*tag_matches[:1], episode) if m is not None]
    year_match = _YEAR.search(body)
    year = None
    if year_match is not None and year_match.start() > 0:
        year = int(year_match.group(1))
        cuts.append(year_match.start())
    title = _SEPARATORS.sub(" ", body[: min(cuts, default=len(body))]).strip(" -([")
    tags = tuple(dict.fromkeys(m.group(0).lower() for m in tag_matches))[:6]
    return Release(name, title, year, episode is not None, tags)


@lru_cache(maxsize=4096)
def _guess(name: str) -> tuple[tuple[str, Any], ...]:
    from guessit import guessit  # imported on first use: it loads its rule set (~0.1 s)

    try:
        found = guessit(name)
    except Exception:  # guessit on hostile input: fall back to the regex split
        return ()
    return tuple((key, found[key]) for key in found)


def parse_release(name: str) -> dict[str, Any]:
    """guessit's reading of a release name (title, year, season, episode, group...)."""
    return dict(_guess(name[:_MAX_NAME]))


def describe(parsed: dict[str, Any]) -> str:
    """A short human summary of a guessit parse, for evidence strings."""
    keys = ("title", "year", "season", "episode", "screen_size", "source", "release_group")
    return ", ".join(f"{key}={parsed[key]}" for key in keys if key in parsed)
