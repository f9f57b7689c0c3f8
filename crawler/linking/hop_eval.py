"""Real hop history -> recall of the hop-candidate generator.

The input is a CSV of domain changes (``date,commit,indexer,change,url[,subject]``), the
format of Jackett's indexer-definition history: within one commit and indexer, removed URLs
are old domains and added URLs new ones.  A *hop* is an added registered domain that none of
the removed ones equals (a new subdomain of the same registered domain is a mirror the
monitor sees by itself); it is *found* when it is among the first ``budget`` candidates of
at least one removed registered domain of that commit, since the monitor probes the
candidates of every domain it knows.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tldextract

from crawler.domains import registered_domain

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                 include_psl_private_domains=False)
REQUIRED = ("date", "commit", "indexer", "change", "url")


class HopFileError(ValueError):
    """The hop-history file cannot be used (missing, unreadable, wrong columns)."""


def split_domain(domain: str) -> tuple[str, str]:
    """``(label, suffix)`` of a registered domain: ``torrentqq288.com`` -> ``(torrentqq288,
    com)``; ICANN suffixes only, so ``x.blogspot.com`` splits as ``(blogspot, com)``."""
    parts = _EXTRACT(domain)
    return parts.domain, parts.suffix


@dataclass(frozen=True)
class Hop:
    """One real hop: the old registered domains of a change and one new registered domain."""

    year: int
    indexer: str
    olds: tuple[str, ...]
    new: str


@dataclass
class HopFile:
    """Hops read from a file, and how many rows could not be used."""

    hops: list[Hop]
    rows: int = 0
    bad_rows: int = 0


def read_hops(path: Path) -> list[Hop]:
    """The hops of a hop-history CSV (see :func:`load_hops` for the counts)."""
    return load_hops(path).hops


def load_hops(path: Path) -> HopFile:
    """Parse the CSV; a row without a year, a known change or a host is counted, not fatal."""
    groups: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(
        lambda: {"removed": [], "added": []})
    rows = bad = 0
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise HopFileError(f"{path}: not a hop-history CSV (missing columns: "
                                   f"{', '.join(missing)})")
            for row in reader:
                rows += 1
                date, change = (row.get("date") or "")[:4], row.get("change") or ""
                domain = registered_domain(row.get("url") or "")
                if not date.isdigit() or change not in ("removed", "added") or "." not in domain:
                    bad += 1
                    continue
                key = (row.get("date") or "", row.get("commit") or "", row.get("indexer") or "")
                groups[key][change].append(domain)
    except OSError as exc:
        raise HopFileError(f"{path}: {exc.strerror or exc}") from exc
    hops: list[Hop] = []
    for (date, _commit, indexer), change in groups.items():
        olds = tuple(dict.fromkeys(change["removed"]))
        if not olds:
            continue
        for new in dict.fromkeys(change["added"]):
            if new not in olds:
                hops.append(Hop(int(date[:4]), indexer, olds, new))
    return HopFile(hops, rows, bad)


@dataclass
class Recall:
    """Found / total hops, overall and per year; ``distinct`` counts each (olds, new) once."""

    budget: int
    found: int = 0
    total: int = 0
    by_year: dict[int, list[int]] = field(default_factory=dict)  # year -> [found, total]
    distinct_found: int = 0
    distinct_total: int = 0

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 0.0

    def year_rate(self, year: int) -> float:
        found, total = self.by_year.get(year, [0, 0])
        return found / total if total else 0.0

    def span_rate(self, first: int, last: int) -> tuple[int, int]:
        """(found, total) over the years ``first``..``last``."""
        pairs = [v for y, v in self.by_year.items() if first <= y <= last]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


Generator = Callable[[str, int], list[str]]


def evaluate(hops: Iterable[Hop], generate: Generator, budget: int) -> Recall:
    """Recall of ``generate(old_domain, budget)`` on ``hops``."""
    cache: dict[str, frozenset[str]] = {}
    result = Recall(budget)
    seen: set[tuple[tuple[str, ...], str]] = set()
    for hop in hops:
        hit = False
        for old in hop.olds:
            if old not in cache:
                cache[old] = frozenset(generate(old, budget)[:budget])
            if hop.new in cache[old]:
                hit = True
                break
        result.total += 1
        result.found += hit
        year = result.by_year.setdefault(hop.year, [0, 0])
        year[0] += hit
        year[1] += 1
        key = (tuple(sorted(hop.olds)), hop.new)
        if key not in seen:
            seen.add(key)
            result.distinct_total += 1
            result.distinct_found += hit
    return result
