"""STIX 2.1 bundles for MISP, OpenCTI and the like, built with the ``stix2`` package.

Per site: an ``infrastructure`` (the operation), a ``domain-name`` per domain and a ``url``
per evidence URL (up to a cap), an ``indicator`` per domain (pattern on the domain name)
that ``indicates`` the infrastructure, and ``consists-of`` relationships from the
infrastructure to its observables; then what the spiders observed on it (Xtream panels,
stream hosts, magnets and a note: :mod:`crawler.exports.stix_observed`).  Every object is
built, hence validated, by ``stix2``; ids are stable (UUIDv5 of the registry's keys;
observables are deterministic by value), so a partner loading a later export updates objects
instead of duplicating them.

The bundle is written object by object: a ``stix2.Bundle`` would hold the whole registry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import stix2

from crawler.exports import stix_observed
from crawler.exports.rows import SiteRecord
from crawler.exports.stix_observed import NAMESPACE

# STIX versions an object by (id, modified); ``created`` must never change for an id.  So
# ``created`` is when the registry first saw the thing, ``modified`` when it last changed.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
KIND_TEXT = {"index": "torrent/DDL index", "streaming": "streaming portal", "iptv": "IPTV service"}


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def identity(name: str) -> stix2.Identity:
    return stix2.Identity(id=_id("identity", f"identity:{name}"), name=name,
                          identity_class="organization", created=EPOCH, modified=EPOCH)  # fmt: skip


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def site_objects(record: SiteRecord, urls: list[str], author: str) -> Iterator[Any]:
    """The STIX objects of one site, relationships last."""
    site = record.site
    kind = site.get("kind")
    first, last = _when(site.get("first_seen")), _when(site.get("last_seen"))
    created = first or EPOCH
    version = {"created": created, "modified": max(created, last or created)}
    infra = stix2.Infrastructure(
        id=_id("infrastructure", f"site:{site['site_id']}"),
        created_by_ref=author,
        **version,
        name=site["label"],
        description=(
            f"{KIND_TEXT.get(kind or '', 'piracy site')}, status {site['status']}, "
            f"score {site['score']:.2f}"
        ),
        infrastructure_types=["undefined"],
        labels=["piracy", *([kind] if kind else []), f"status:{site['status']}"],
        first_seen=first,
        last_seen=last if last and first and last > first else None,
        allow_custom=False,
    )
    yield infra
    related: list[tuple[str, str]] = []
    for domain in record.domains:
        name = stix2.DomainName(value=domain["domain"])
        yield name
        related.append(("consists-of", name.id))
        seen = _when(domain.get("first_seen")) or created
        indicator = stix2.Indicator(
            id=_id("indicator", f"domain:{domain['domain']}"),
            created_by_ref=author,
            created=seen,
            modified=max(seen, _when(domain.get("last_seen")) or seen),
            name=f"{domain['domain']} ({domain['role']} domain of {site['label']})",
            indicator_types=["malicious-activity"],
            pattern=f"[domain-name:value = '{_quote(domain['domain'])}']",
            pattern_type="stix",
            valid_from=seen,
        )
        yield indicator
        yield _relationship(indicator.id, "indicates", infra.id, author, seen)
    for address in urls:
        url = stix2.URL(value=address)
        yield url
        related.append(("consists-of", url.id))
    for relation, target in related:
        yield _relationship(infra.id, relation, target, author, created)
    # Panels, stream hosts, releases (magnets) and a note of what the spiders observed.
    yield from stix_observed.objects(record, infra, author, created)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _relationship(
    source: str, relation: str, target: str, author: str, created: datetime
) -> stix2.Relationship:
    return stix2.Relationship(
        id=_id("relationship", f"{source}|{relation}|{target}"),
        created_by_ref=author,
        created=created,
        modified=created,
        source_ref=source,
        relationship_type=relation,
        target_ref=target,
    )


def write_bundle(
    records: Iterable[SiteRecord],
    out: IO[str],
    urls_of: Callable[[int], list[str]],
    author_name: str = "I-SOP",
) -> int:
    """Stream one bundle of every site to ``out``; returns the number of sites."""
    author = identity(author_name)
    bundle_id = f"bundle--{uuid.uuid4()}"
    out.write(f'{{"type": "bundle", "id": "{bundle_id}", "objects": [\n')
    out.write(author.serialize())
    count = 0
    for record in records:
        for obj in site_objects(record, urls_of(record.site["site_id"]), author.id):
            out.write(",\n" + obj.serialize())
        count += 1
    out.write("\n]}\n")
    return count
