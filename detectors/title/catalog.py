"""The catalog of protected works and channels, and the name matching against it.

The catalog is data supplied by rights holders: the YAML files ``config/catalog/works.yaml``
and ``channels.yaml``, or the registry's tables seeded from them (``detectors.title.live``);
an analyst adds a work without touching code. Every spelling (title, aliases,
original-language titles) is normalised once at load: folded (case, accents), punctuation to
spaces, ``&`` to "and". Matching a candidate string is then an exact dictionary hit, else a
rapidfuzz ratio over all spellings with a cut-off; numbers must agree ("Inside Out 2" is not
"Inside Out", "beIN Sports 1" is not "beIN Sports 2") and so must the year, within one, when
both sides have one ("Parasite" 1982 is not the protected "Parasite" of 2019).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz, process

from detectors.base import DetectorError
from detectors.text import fold

_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
_ROMAN = {"ii": "2", "iii": "3", "iv": "4"}
_RESOLVED_MAX = 50_000
_NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "deux": "2", "dos": "2", "dois": "2"}


def normalize(text: str) -> str:
    """Folded, punctuation-free, single-spaced: "Dune: Part Two" -> "dune part two".

    Remembered per text up to 500 characters: a site's pages repeat their headings and
    release names, and every catalog lookup starts here.
    """
    return _cached_normalize(text) if len(text) <= 500 else _normalize(text)


@lru_cache(maxsize=16384)
def _cached_normalize(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    words = _NON_WORD.sub(" ", fold(text).replace("&", " and ")).split()
    return " ".join(words)


def normalized_words(folded: str) -> list[str]:
    """The words of already-folded text, as ``normalize`` would split them."""
    return _NON_WORD.sub(" ", folded.replace("&", " and ")).split()


def numbers(key: str) -> frozenset[str]:
    """The numbers a normalised name carries, roman numerals and number words included."""
    found = set(_DIGITS.findall(key))
    for word in key.split():
        value = _ROMAN.get(word) or _NUMBER_WORDS.get(word)
        if value:
            found.add(value)
    return frozenset(found)


class WorkSpec(BaseModel):
    """One protected work as the rights holder describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1880, le=2100)
    kind: str = "movie"
    owner: str = ""
    aliases: list[str] = Field(default_factory=list)
    original_titles: list[str] = Field(default_factory=list)
    ambiguous: bool = False


class ChannelSpec(BaseModel):
    """One protected channel: its name, how playlists spell it, and its owner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    owner: str = ""
    aliases: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """A protected thing (work or channel) under one of its normalised spellings."""

    label: str
    owner: str
    year: int | None
    ambiguous: bool
    key: str
    numbers: frozenset[str]

    def describe(self) -> str:
        details = ", ".join(str(part) for part in (self.year, self.owner) if part)
        return f"{self.label!r} ({details})" if details else repr(self.label)


@dataclass(frozen=True)
class Match:
    """A candidate string that names a catalog entry, with the fuzzy score (0-100)."""

    entry: Entry
    text: str
    score: float


class NameIndex:
    """Exact and fuzzy lookup of candidate strings among every spelling of a catalog."""

    def __init__(
        self, entries: Iterable[Entry], min_ratio: float = 90.0, min_fuzzy_chars: int = 10
    ) -> None:
        self.entries = [entry for entry in entries if entry.key]
        self.by_key: dict[str, Entry] = {}
        for entry in self.entries:
            self.by_key.setdefault(entry.key, entry)
        self.keys = list(self.by_key)
        self.min_ratio = min_ratio
        self.min_fuzzy_chars = min_fuzzy_chars
        self.first_words: dict[str, list[tuple[int, str]]] = {}
        for key in self.keys:
            words = key.split()
            self.first_words.setdefault(words[0], []).append((len(words), key))
        self._first_set = frozenset(self.first_words)
        # Pages of one site repeat their headings: remember what each name resolved to.
        self._resolved: dict[tuple[str, int | None], tuple[Entry, float] | None] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, text: str, year: int | None = None) -> Match | None:
        """The entry ``text`` names (exact spelling first, then fuzzy), or None."""
        key = normalize(text)
        if not key:
            return None
        cache_key = (key, year)
        if cache_key not in self._resolved:
            if len(self._resolved) >= _RESOLVED_MAX:
                self._resolved.clear()
            self._resolved[cache_key] = self._resolve(key, year)
        resolved = self._resolved[cache_key]
        return Match(resolved[0], text, resolved[1]) if resolved is not None else None

    def _resolve(self, key: str, year: int | None) -> tuple[Entry, float] | None:
        entry = self.by_key.get(key)
        score = 100.0
        if entry is None:
            if len(key) < self.min_fuzzy_chars:
                return None  # "cinema" is not "cinemax": short names must be exact
            found = process.extractOne(
                key, self.keys, scorer=fuzz.ratio, score_cutoff=self.min_ratio
            )
            if found is None:
                return None
            entry, score = self.by_key[found[0]], float(found[1])
            if numbers(key) != entry.numbers:
                return None
        if year is not None and entry.year is not None and abs(year - entry.year) > 1:
            return None  # a same-named work of another year
        return entry, score

    def scan(self, words: Sequence[str]) -> Iterator[tuple[int, Entry]]:
        """(position, entry) of each exact spelling in a run of normalised words."""
        starts = self._first_set.intersection(words)
        if not starts:
            return  # most pages: no word that begins a catalog name
        for index in _positions(words, starts):
            for length, key in self.first_words[words[index]]:
                if " ".join(words[index : index + length]) == key:
                    yield index, self.by_key[key]


_FEW_STARTS = 4


def _positions(words: Sequence[str], starts: frozenset[str]) -> list[int]:
    """Ascending indices of ``words`` that are in ``starts``.

    A page's 10,000 words hold one or two of them ("the"): ``list.index`` finds each one's
    places in C, where a Python loop would test every word.
    """
    if len(starts) > _FEW_STARTS or not isinstance(words, list):
        return [index for index, word in enumerate(words) if word in starts]
    found: list[int] = []
    for word in starts:
        index = -1
        while True:
            try:
                index = words.index(word, index + 1)
            except ValueError:
                break
            found.append(index)
    found.sort()
    return found


def _read(path: Path) -> Any:
    try:
        with path.open("r", encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except OSError as exc:
        raise DetectorError(f"cannot read catalog {path}: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:  # one line: where, and what is wrong
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError)
                   else getattr(exc, "problem", None) or str(exc).splitlines()[0])  # fmt: skip
        message = f"cannot read catalog {path}:{where} malformed YAML ({problem})"
        raise DetectorError(message) from exc


def _specs(path: Path, section: str, model: type[BaseModel]) -> list[Any]:
    data = _read(path)
    items = data.get(section) if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise DetectorError(f"catalog {path} needs a {section!r} list")
    specs = []
    for position, item in enumerate(items, 1):
        try:
            specs.append(model.model_validate(item))
        except ValidationError as exc:
            raise DetectorError(f"catalog {path}, {section} #{position}: {exc}") from exc
    return specs


def read_rows(
    path: Path, section: str, model: type[BaseModel]
) -> tuple[list[tuple[int, Any]], list[str]]:
    """The valid rows of a catalog file with their numbers (from 1), and one message per
    invalid row (its number and title or name, then the cause): an import keeps the good
    rows of a file with bad ones.

    A file that cannot be read at all, or has no ``section`` list, is a DetectorError.
    """
    data = _read(path)
    items = data.get(section) if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise DetectorError(f"catalog {path} needs a {section!r} list")
    rows, errors = [], []
    for position, item in enumerate(items, 1):
        try:
            rows.append((position, model.model_validate(item)))
        except ValidationError as exc:
            errors.append(f"{section} #{position}{_named(item)}: {_first_error(exc)}")
    return rows, errors


def _named(item: object) -> str:
    name = item.get("title") or item.get("name") if isinstance(item, Mapping) else None
    text = str(name).strip()[:80] if isinstance(name, str | int | float) else ""
    return f" ({text!r})" if text else ""


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    count = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where or 'row'}: {first['msg']}{count}"


def load_works(path: Path, min_ratio: float = 90.0, min_fuzzy_chars: int = 10) -> NameIndex:
    """Every spelling of every work in ``path`` as one index."""
    return works_index(_specs(path, "works", WorkSpec), min_ratio, min_fuzzy_chars)


def works_index(
    works: Iterable[WorkSpec], min_ratio: float = 90.0, min_fuzzy_chars: int = 10
) -> NameIndex:
    """Every spelling of these works as one index (from a file or from the registry)."""
    entries = []
    for work in works:
        for spelling in (work.title, *work.aliases, *work.original_titles):
            key = normalize(spelling)
            entries.append(
                Entry(work.title, work.owner, work.year, work.ambiguous, key, numbers(key))
            )
    return NameIndex(entries, min_ratio, min_fuzzy_chars)


def load_channels(path: Path, min_ratio: float = 90.0, min_fuzzy_chars: int = 10) -> NameIndex:
    """Every spelling of every channel in ``path`` as one index."""
    return channels_index(_specs(path, "channels", ChannelSpec), min_ratio, min_fuzzy_chars)


def channels_index(
    channels: Iterable[ChannelSpec], min_ratio: float = 90.0, min_fuzzy_chars: int = 10
) -> NameIndex:
    """Every spelling of these channels as one index (from a file or from the registry)."""
    entries = []
    for channel in channels:
        for spelling in (channel.name, *channel.aliases):
            key = normalize(spelling)
            entries.append(Entry(channel.name, channel.owner, None, False, key, numbers(key)))
    return NameIndex(entries, min_ratio, min_fuzzy_chars)
