"""A site's observations summed up: counts plus the top few, for ``isop sites show`` and the
API's site detail (``observations``).

A site can hold thousands of releases; the summary stays small: counts per kind (all rows),
and top lists read from the ``SAMPLE`` most recently seen rows of each kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.registry.observations import ObservationRow

if TYPE_CHECKING:
    from crawler.registry.store import Registry

TOP = 5
SAMPLE = 500
#: The title matcher's signal that a release names a protected work.
PROTECTED_RELEASE = "title_match.protected_release"


@dataclass(frozen=True)
class ObservationSummary:
    """What the spiders observed on a site's domains."""

    counts: dict[str, int] = field(default_factory=dict)  # rows per kind
    flagged: dict[str, int] = field(default_factory=dict)  # flagged rows per kind
    releases: list[dict[str, Any]] = field(default_factory=list)  # with infohash, most seeded
    works: list[dict[str, Any]] = field(default_factory=list)  # protected works released
    playlists: list[dict[str, Any]] = field(default_factory=list)  # most channels first
    panels: list[dict[str, Any]] = field(default_factory=list)
    stream_hosts: list[dict[str, Any]] = field(default_factory=list)  # HLS/segment/embed hosts
    manifests: list[dict[str, Any]] = field(default_factory=list)  # HLS/DASH, licensed DRM first

    @property
    def empty(self) -> bool:
        return not self.counts

    def to_json(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "flagged": dict(self.flagged),
                "releases": self.releases, "works": self.works, "playlists": self.playlists,
                "panels": self.panels, "stream_hosts": self.stream_hosts,
                "manifests": self.manifests}  # fmt: skip


def summarize(session: Session, domains: Sequence[str]) -> ObservationSummary:
    """The observations of ``domains`` (a site's), summed up."""
    names = sorted(set(domains))
    if not names:
        return ObservationSummary()
    counts: dict[str, int] = {}
    flagged: dict[str, int] = {}
    for kind, infringing, n in session.execute(
        select(ObservationRow.kind, ObservationRow.infringing, func.count(ObservationRow.id))
        .where(ObservationRow.domain.in_(names))
        .group_by(ObservationRow.kind, ObservationRow.infringing)
    ):  # fmt: skip
        counts[kind] = counts.get(kind, 0) + int(n)
        if infringing:
            flagged[kind] = flagged.get(kind, 0) + int(n)
    rows = {kind: _recent(session, names, kind) for kind in counts}
    return _summary(counts, flagged, rows)


def _summary(counts: dict[str, int], flagged: dict[str, int],
             rows: dict[str, list[Any]]) -> ObservationSummary:  # fmt: skip
    """``rows``: per kind, ORM rows or plain rows of the table (the same attributes)."""
    return ObservationSummary(
        counts=counts,
        flagged=flagged,
        releases=_releases(rows.get("listing", []), rows.get("torrent", [])),
        works=_works(rows.get("listing", []) + rows.get("torrent", [])),
        playlists=_playlists(rows.get("playlist", [])),
        panels=_panels(rows.get("panel", [])),
        stream_hosts=_hosts(rows.get("hls", []) + rows.get("dash", []), rows.get("player", [])),
        manifests=_manifests(rows.get("dash", []), rows.get("hls", [])),
    )


def summaries(session: Session, sites: Sequence[Sequence[str]], counts: Sequence[dict[str, int]],
              flagged: Sequence[dict[str, int]], sample: int = 50) -> list[ObservationSummary]:
    """Summaries of many sites (their domains, with counts already read) in one query: the
    ``sample`` most recent rows per domain and kind (exports: a batch of sites at a time,
    not two queries per site). Top lists may differ from :func:`summarize`'s on sites with
    more than ``sample`` rows of a kind per domain; counts never do."""
    owner = {d: i for i, domains in enumerate(sites) for d in domains if counts[i]}
    found: list[dict[str, list[Any]]] = [{} for _ in sites]
    if owner:
        rank = func.row_number().over(
            partition_by=(ObservationRow.domain, ObservationRow.kind),
            order_by=(ObservationRow.last_seen.desc(), ObservationRow.id.desc()),
        ).label("rank")
        ranked = (select(ObservationRow.id, rank)
                  .where(ObservationRow.domain.in_(sorted(owner))).subquery())  # fmt: skip
        # Plain rows, not ORM objects (read once; the helpers read the same attributes).
        table = ObservationRow.__table__.c
        query = (select(*table).join(ranked, ranked.c.id == table.id)
                 .where(ranked.c.rank <= sample)
                 .order_by(table.last_seen.desc(), table.id.desc()))  # fmt: skip
        for row in session.execute(query):
            found[owner[row.domain]].setdefault(row.kind, []).append(row)
    return [_summary(dict(counts[i]), dict(flagged[i]), found[i]) if counts[i]
            else ObservationSummary() for i in range(len(sites))]  # fmt: skip


def _recent(session: Session, names: list[str], kind: str) -> list[ObservationRow]:
    return list(session.scalars(
        select(ObservationRow)
        .where(ObservationRow.domain.in_(names), ObservationRow.kind == kind)
        .order_by(ObservationRow.last_seen.desc(), ObservationRow.id.desc())
        .limit(SAMPLE)
    ))  # fmt: skip


def _facts(row: ObservationRow) -> dict[str, Any]:
    return row.facts if isinstance(row.facts, dict) else {}


def _releases(
    listings: list[ObservationRow], torrents: list[ObservationRow]
) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in listings:
        facts = _facts(row)
        for infohash in facts.get("infohashes") or []:
            entry = {"title": facts.get("title"), "infohash": infohash,
                     "seeders": facts.get("seeders"), "score": row.score}  # fmt: skip
            best = found.get(infohash)
            if best is None or (entry["seeders"] or 0) > (best["seeders"] or 0):
                found[infohash] = entry
    for row in torrents:
        facts = _facts(row)
        infohash = facts.get("infohash")
        if isinstance(infohash, str) and infohash not in found:
            found[infohash] = {"title": facts.get("name"), "infohash": infohash, "seeders": None,
                               "score": row.score}  # fmt: skip
    ranked = sorted(found.values(), key=lambda e: -(e["seeders"] or 0))
    return ranked[:TOP]


def _works(rows: list[ObservationRow]) -> list[dict[str, Any]]:
    """Protected works the title matcher recognised in releases, most released first (a
    release counts once, whether listed with its magnet, without, or as a .torrent)."""
    works: dict[str, set[str]] = {}
    for row in rows:
        facts = _facts(row)
        if PROTECTED_RELEASE not in (facts.get("signals") or []):
            continue
        release = facts.get("release") or {}
        name = str(facts.get("title") or facts.get("name") or row.key)
        title = release.get("title") or name
        year = release.get("year")
        label = f"{title} ({year})" if year else str(title)
        works.setdefault(label, set()).add(name.removesuffix(".mkv").lower())
    ranked = sorted(works.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"work": work, "releases": len(names)} for work, names in ranked[:TOP]]


def _playlists(rows: list[ObservationRow]) -> list[dict[str, Any]]:
    ranked = sorted(rows, key=lambda r: -int(_facts(r).get("channels") or 0))
    return [{"url": r.url, "channels": _facts(r).get("channels"), "score": r.score,
             "flagged": r.infringing} for r in ranked[:TOP]]  # fmt: skip


def _panels(rows: list[ObservationRow]) -> list[dict[str, Any]]:
    """Panel lines as stored: the base URL and the salted hash of the line, never the line."""
    return [{"base": _facts(r).get("base"), "credential": _facts(r).get("credential"),
             "status": _facts(r).get("status"), "categories": _facts(r).get("categories"),
             "score": r.score, "flagged": r.infringing} for r in rows[:TOP]]  # fmt: skip


def _manifests(dash: list[ObservationRow], hls: list[ObservationRow]) -> list[dict[str, Any]]:
    """DASH and HLS manifests, those under licensed DRM (counter-evidence) first, then the
    most recently seen. URLs are the stored, redacted ones."""
    found: list[dict[str, Any]] = []
    for row in dash + hls:
        facts = _facts(row)
        drm = [str(d) for d in facts.get("drm") or [] if isinstance(d, str)]
        found.append({"kind": row.kind, "url": row.url, "host": facts.get("host"),
                      "live": facts.get("live"), "drm": drm,
                      "licensed_drm": bool(facts.get("licensed_drm")),
                      "encrypted": bool(facts.get("encrypted") or drm), "score": row.score,
                      "flagged": row.infringing,
                      "last_seen": row.last_seen.isoformat()})  # fmt: skip
    found.sort(key=lambda m: str(m["last_seen"]), reverse=True)
    found.sort(key=lambda m: not m["licensed_drm"])  # stable: recent first within each
    return found[:TOP]


def _hosts(manifests: list[ObservationRow], players: list[ObservationRow]) -> list[dict[str, Any]]:
    """Hosts that serve the site's streams: HLS/DASH manifests and segments, player embeds."""
    hosts: Counter[str] = Counter()
    for row in manifests:
        facts = _facts(row)
        for host in [facts.get("host"), *(facts.get("segment_hosts") or [])]:
            if isinstance(host, str) and host:
                hosts[host] += 1
    for row in players:
        facts = _facts(row)
        for host in [*(facts.get("embed_hosts") or []), *(facts.get("source_hosts") or [])]:
            if isinstance(host, str) and host:
                hosts[host] += 1
    return [{"host": host, "seen": n} for host, n in hosts.most_common(TOP)]


def for_site(registry: Registry, domains: Sequence[str]) -> ObservationSummary:
    """The summary for ``isop sites show``, read through the registry's read sessions."""
    with registry.reading() as session:
        return summarize(session, domains)
