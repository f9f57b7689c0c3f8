"""STIX 2.1 objects for what the spiders observed on a site (see :mod:`crawler.exports.stix`).

Per site with observations:

- each Xtream panel its line was served from: an ``infrastructure`` (the panel) that
  ``consists-of`` its base ``url`` and its host (``domain-name`` or ``ipv4-addr``/
  ``ipv6-addr``); the site's infrastructure ``uses`` it. The line itself never leaves: only
  the panel's base URL, the credential stays a salted hash in the registry;
- each host that serves the site's streams (HLS/DASH manifests and segments, player embeds):
  a ``domain-name``/``ip`` observable the site's infrastructure ``communicates-with``. No
  indicator: a stream host may be a shared CDN, which partners must not block on our word;
- releases: a BitTorrent infohash is no hash of a file (STIX ``file.hashes`` would say it
  is, and refuses a BTIH algorithm), so each is a ``url`` observable of its magnet URI
  (``magnet:?xt=urn:btih:HEX``, what clients and blocklists use), and one ``note`` on the
  site sums up what was observed (counts, releases with title and infohash, protected works,
  manifests under licensed DRM) and refers to them.

Ids are stable as in :mod:`crawler.exports.stix`; ``modified`` is the latest sighting, so a
partner keeps the newest version of an object whose description changed.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import stix2

from crawler.exports.rows import SiteRecord

NAMESPACE = uuid.UUID("5d9d3c8e-6f5e-4d8a-9b1e-2f0c6a7f1e11")  # every id of the bundle
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
                   r"(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$")  # fmt: skip
_INFOHASH = re.compile(r"^(?:[0-9a-f]{40}|[a-z2-7]{32})$")


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def host_observable(host: Any) -> Any | None:
    """A ``domain-name`` or IP address observable; None for what is neither (hostile)."""
    if not isinstance(host, str):
        return None
    name = host.strip().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return stix2.DomainName(value=name) if _HOST.match(name) else None
    if address.version == 4:
        return stix2.IPv4Address(value=str(address))
    return stix2.IPv6Address(value=str(address))


def _panel_url(base: Any) -> tuple[str, str] | None:
    """(base URL, host) of an http(s) panel base without user info; None otherwise."""
    if not isinstance(base, str) or len(base) > 2000:
        return None
    try:
        parts = urlsplit(base.strip())
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    return base.strip(), host


def objects(record: SiteRecord, infra: Any, author: str, created: datetime) -> Iterator[Any]:
    """The observed objects of one site and their relationships (nothing when none)."""
    summary = record.observations
    if summary is None or summary.empty:
        return
    modified = max(created, infra.modified, record.observed_at or created)
    site_id = record.site["site_id"]
    related: list[tuple[str, str, str]] = []
    for panel in summary.panels:
        found = _panel_url(panel.get("base"))
        if found is None:
            continue
        base, host = found
        panel_infra = stix2.Infrastructure(
            id=_id("infrastructure", f"panel:{site_id}:{base}"), created_by_ref=author,
            created=created, modified=modified, name=f"Xtream-Codes panel {host}",
            description=f"IPTV panel serving lines advertised by {record.site['label']} "
                        f"(status {panel.get('status') or 'unknown'}, "
                        f"{panel.get('categories') or 0} live categories)",
            infrastructure_types=["undefined"], labels=["piracy", "iptv", "xtream-panel"],
        )  # fmt: skip
        yield panel_infra
        related.append((infra.id, "uses", panel_infra.id))
        url = stix2.URL(value=base)
        yield url
        related.append((panel_infra.id, "consists-of", url.id))
        observable = host_observable(host)
        if observable is not None:
            yield observable
            related.append((panel_infra.id, "consists-of", observable.id))
    for entry in summary.stream_hosts:
        observable = host_observable(entry.get("host"))
        if observable is not None:
            yield observable
            related.append((infra.id, "communicates-with", observable.id))
    magnets = []
    for release in summary.releases:
        infohash = str(release.get("infohash") or "").lower()
        if _INFOHASH.match(infohash):
            magnet = stix2.URL(value=f"magnet:?xt=urn:btih:{infohash}")
            magnets.append(magnet.id)
            yield magnet
    yield stix2.Note(
        id=_id("note", f"observed:{site_id}"), created_by_ref=author, created=created,
        modified=modified, abstract=f"Observed on {record.site['label']}",
        content=_content(summary), object_refs=[infra.id, *magnets],
    )  # fmt: skip
    for source, relation, target in related:
        yield stix2.Relationship(
            id=_id("relationship", f"{source}|{relation}|{target}"), created_by_ref=author,
            created=created, modified=created, source_ref=source, relationship_type=relation,
            target_ref=target,
        )  # fmt: skip


def _content(summary: Any) -> str:
    """The note's text: counts, then the top releases, works and licensed-DRM manifests."""
    counts = ", ".join(f"{kind} {n}" + (f" ({summary.flagged[kind]} flagged)"
                                        if summary.flagged.get(kind) else "")
                       for kind, n in sorted(summary.counts.items()))  # fmt: skip
    lines = [f"Observed by the I-SOP spiders: {counts}."]
    for r in summary.releases:
        seeders = f", {r['seeders']} seeders" if r.get("seeders") is not None else ""
        lines.append(f"Release: {r.get('title')} (btih {r.get('infohash')}{seeders})")
    for w in summary.works:
        lines.append(f"Protected work: {w.get('work')} ({w.get('releases')} release(s))")
    for m in summary.manifests:
        if m.get("licensed_drm"):
            lines.append(f"Counter-evidence: {m.get('kind')} manifest {m.get('url')} under "
                         f"licensed DRM ({', '.join(map(str, m.get('drm') or []))})")  # fmt: skip
    return "\n".join(lines)
