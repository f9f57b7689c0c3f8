"""Many writers on one database (SQLite file, PostgreSQL server): threads of one process,
and separate processes.

Every writer records the same pages (same url, same content) of overlapping domains, plus
pages only it has seen, and all claim one shared mirror domain.  Afterwards: one site per
domain, every distinct page stored once, no verdict lost, no exception.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select

from crawler.registry import Registry
from crawler.registry.models import Evidence, ScoreHistory

DOMAINS = [f"pirate{i}.to" for i in range(6)]
SHARED_PAGES = 4  # pages every writer records for every domain
MIRROR = "shared-mirror.net"
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _score(domain: str, page: int, writer: int) -> float:
    digest = hashlib.sha256(f"{domain}/{page}/{writer}".encode()).digest()
    return 0.5 + digest[0] % 50 / 100


def hammer(url: str, writer: int, registry: Registry | None = None) -> dict[str, float]:
    """Record every page as writer ``writer``; returns the highest score sent per domain.

    Module-level so that spawned processes can import it.  Opens its own registry (and so
    races on the first migration too) unless one is given.
    """
    reg = registry or Registry.open(url)
    top: dict[str, float] = {}
    try:
        for step in range(SHARED_PAGES + 1):
            # Writers walk the domains in different orders to interleave differently.
            for domain in DOMAINS[writer % len(DOMAINS) :] + DOMAINS[: writer % len(DOMAINS)]:
                page = f"shared{step}" if step < SHARED_PAGES else f"writer{writer}"
                score = _score(domain, step, writer)
                top[domain] = max(top.get(domain, 0.0), score)
                reg.record_page_verdict(
                    domain=domain,
                    url=f"https://{domain}/{page}",
                    score=score,
                    infringing=True,
                    kind="streaming",
                    explanation="player iframes",
                    signals=[{"writer": writer}],
                    content_sha256=hashlib.sha256(f"{domain}/{page}".encode()).hexdigest(),
                    seen_at=T0 + timedelta(seconds=step),
                    aliases=[(f"old-{domain}", "redirect"), (MIRROR, "mirror")],
                )
    finally:
        if registry is None:
            reg.close()
    return top


def hammer_batched(url: str, writer: int) -> dict[str, float]:
    """The same verdicts as ``hammer``, written with ``record_page_verdicts`` in batches."""
    verdicts: list[dict[str, object]] = []
    top: dict[str, float] = {}
    for step in range(SHARED_PAGES + 1):
        for domain in DOMAINS[writer % len(DOMAINS) :] + DOMAINS[: writer % len(DOMAINS)]:
            page = f"shared{step}" if step < SHARED_PAGES else f"writer{writer}"
            score = _score(domain, step, writer)
            top[domain] = max(top.get(domain, 0.0), score)
            verdicts.append({
                "domain": domain, "url": f"https://{domain}/{page}", "score": score,
                "infringing": True, "kind": "streaming", "explanation": "player iframes",
                "signals": [{"writer": writer}],
                "content_sha256": hashlib.sha256(f"{domain}/{page}".encode()).hexdigest(),
                "seen_at": T0 + timedelta(seconds=step),
                "aliases": [(f"old-{domain}", "redirect"), (MIRROR, "mirror")] if step == 0 else [],
            })  # fmt: skip
    with Registry.open(url) as reg:
        for at in range(0, len(verdicts), 7):
            reg.record_page_verdicts(verdicts[at : at + 7])
    return top


def _check(url: str, writers: int, tops: list[dict[str, float]]) -> None:
    with Registry.open(url) as reg:
        sites = reg.sites()
        owners = Counter(domain for site in sites for domain in site.domains)
        assert len(sites) == len(DOMAINS)
        assert set(owners) == {*DOMAINS, *(f"old-{d}" for d in DOMAINS), MIRROR}
        assert set(owners.values()) == {1}, "a domain belongs to two sites"
        for site in sites:
            assert site.domains[0] == site.label
            assert site.evidence_count == SHARED_PAGES + writers
            assert site.last_seen == T0 + timedelta(seconds=SHARED_PAGES)
            evidence = reg.evidence(site.id)
            assert len({e.url for e in evidence}) == SHARED_PAGES + writers
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            history = connection.scalar(select(func.count()).select_from(ScoreHistory))
            evidence_rows = connection.scalar(select(func.count()).select_from(Evidence))
            max_scores: dict[str, float] = dict(
                connection.exec_driver_sql(
                    "SELECT d.domain, s.max_score FROM sites s JOIN domains d "
                    "ON d.site_id = s.id AND d.role = 'primary'"
                ).all()
            )
    finally:
        engine.dispose()
    assert history == writers * len(DOMAINS) * (SHARED_PAGES + 1), "a verdict was lost"
    assert evidence_rows == len(DOMAINS) * (SHARED_PAGES + writers)
    assert max_scores == {d: max(top[d] for top in tops) for d in DOMAINS}


def test_threads_share_one_registry(registry_url: str) -> None:
    url = registry_url
    writers = 8
    with Registry.open(url) as reg, ThreadPoolExecutor(writers) as pool:
        tops = list(pool.map(lambda w: hammer(url, w, reg), range(writers)))
    _check(url, writers, tops)


def test_threads_with_a_registry_each(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    writers = 6
    with ThreadPoolExecutor(writers) as pool:
        tops = list(pool.map(lambda w: hammer(url, w), range(writers)))
    _check(url, writers, tops)


def test_processes_on_a_fresh_database(registry_url: str, tmp_path: Path) -> None:
    """Separate processes also race on creating the schema: it must happen once."""
    url = registry_url
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'isop-data' / 'registry.db'}"  # the directory too
    writers = 3
    context = multiprocessing.get_context("spawn")  # fork would copy pooled connections
    with ProcessPoolExecutor(writers, mp_context=context) as pool:
        tops = list(pool.map(hammer, [url] * writers, range(writers)))
    _check(url, writers, tops)


def test_batched_writers_at_once(registry_url: str) -> None:
    """Batches (set-based writes for known sites) racing each other and the first writes."""
    writers = 6
    with ThreadPoolExecutor(writers) as pool:
        tops = list(pool.map(lambda w: hammer_batched(registry_url, w), range(writers)))
    _check(registry_url, writers, tops)
