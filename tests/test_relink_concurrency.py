"""Relinks that cross: each domain of a pair proves the other's first-sight site at once.

Two first-sight sites (``flixhopN.to`` seen first, ``flixhopN.cc`` a day later) whose only tie
is one favicon key and a guessable name.  Both icons arrive together, so two relinks run at
the same moment on one pair, each starting from its own site: before the sites were locked
in one order, each held its own site and waited for the other's (PostgreSQL's "deadlock
detected": one relink failed, and its merge could be lost).  Many such pairs race here on a
real PostgreSQL and on SQLite; every pair must end as one site, merged exactly once.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.api.models import AuditEntry
from crawler.linking.features import Feature
from crawler.linking.relink import AUDIT_ACTOR
from crawler.linking.store import RELINK_ATTEMPTS, FeatureWriter, store_features
from crawler.registry import Registry
from crawler.registry.models import Domain, Evidence, Site, SiteEvent

PAIRS = 6
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def pair(i: int) -> tuple[str, str]:
    return f"flixhop{i}.to", f"flixhop{i}.cc"


@pytest.fixture
def seeded(registry_url: str) -> Iterator[tuple[str, Engine, dict[str, int]]]:
    """``PAIRS`` pairs of first-sight sites, each domain's favicon stored (not relinked)."""
    engine = create_engine(registry_url)
    site_of: dict[str, int] = {}
    with Registry.open(registry_url) as registry:
        for i in range(PAIRS):
            for day, domain in enumerate(pair(i)):
                url = f"http://{domain}/"
                seen = T0 + timedelta(days=day, minutes=i)
                site = registry.record_page_verdict(
                    domain=domain, url=url, score=0.9, infringing=True, kind="index",
                    explanation="test", signals=[],
                    content_sha256=hashlib.sha256(url.encode()).hexdigest(), seen_at=seen)
                assert site is not None
                site_of[domain] = site.id
                with Session(engine) as session, session.begin():
                    store_features(session, domain, url + "favicon.ico", seen,
                                   [Feature("favicon", f"icon-{i:04d}", url + "favicon.ico")])
    assert len(set(site_of.values())) == 2 * PAIRS  # nothing linked them at first sight
    yield registry_url, engine, site_of
    engine.dispose()


def test_crossing_relinks_merge_every_pair_exactly_once(
        seeded: tuple[str, Engine, dict[str, int]]) -> None:  # fmt: skip
    url, engine, site_of = seeded
    domains = [d for i in range(PAIRS) for d in pair(i)]
    writers = [FeatureWriter(url) for _ in domains]
    start = threading.Barrier(len(domains))
    failures: list[BaseException] = []

    def run(writer: FeatureWriter, domain: str) -> None:
        try:
            start.wait()
            writer.relink(domain)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(w, d)) for w, d in zip(writers, domains,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [t for t in threads if t.is_alive()], "a relink hung"
    for writer in writers:
        writer.close()
    assert failures == []
    assert sum(w.relink_errors for w in writers) == 0  # no deadlock escaped, none given up
    assert sum(w.relink_retries for w in writers) == 0  # none even happened: one lock order
    # (relink_replans may be > 0: a plan reads sites unlocked, and one merged away before the
    # lock is a plan made again, not a deadlock)
    assert sum(w.relinked for w in writers) == PAIRS  # one merge per pair, not two
    with Session(engine) as session:
        owners = dict(session.execute(select(Domain.domain, Domain.site_id)).all())
        sites = set(session.scalars(select(Site.id)))
        for i in range(PAIRS):
            old, new = pair(i)
            survivor = site_of[old]  # the younger first-sight site joined the older one
            assert owners[old] == owners[new] == survivor
            assert session.scalar(select(func.count()).select_from(Evidence)
                                  .where(Evidence.site_id == survivor)) == 2
            notes = session.scalars(select(SiteEvent.text).where(
                SiteEvent.site_id == survivor, SiteEvent.actor == "linking",
                SiteEvent.text.like("%merged into this one%"))).all()
            assert len(notes) == 1 and f"site #{site_of[new]} " in (notes[0] or "")
            audit = session.execute(select(AuditEntry.site_id, AuditEntry.after).where(
                AuditEntry.action == "site.merged", AuditEntry.target == new)).all()
            assert sorted(s for s, _ in audit) == sorted((survivor, site_of[new]))
            assert all(after["site_id"] == survivor for _, after in audit)
        assert sites == {site_of[pair(i)[0]] for i in range(PAIRS)}  # none lost, none doubled
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.actor == AUDIT_ACTOR)) == 2 * PAIRS


def test_a_relink_that_lost_a_race_runs_again_and_one_that_keeps_losing_is_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The retry itself (the race is staged: a real deadlock is the PostgreSQL test's)."""
    import crawler.linking.relink as relink

    real = relink.relink_domain
    failures = [OperationalError("SELECT", {}, Exception("deadlock detected"))]
    calls: list[str] = []

    def flaky(session: Session, domain: str) -> object:
        calls.append(domain)
        if failures:
            raise failures.pop()
        return real(session, domain)

    monkeypatch.setattr(relink, "relink_domain", flaky)
    writer = FeatureWriter(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        assert writer.relink("nobody.example") is False  # no site owns it: nothing to move
        assert (calls, writer.relink_retries, writer.relink_errors) == (["nobody.example"] * 2,
                                                                         1, 0)  # fmt: skip
        failures.extend([OperationalError("SELECT", {}, Exception("deadlock detected"))]
                        * RELINK_ATTEMPTS)  # fmt: skip
        assert writer.relink("again.example") is False
        assert (writer.relink_retries, writer.relink_errors) == (RELINK_ATTEMPTS, 1)
        failures.append(OperationalError("SELECT", {}, Exception("no such table: sites")))
        assert writer.relink("broken.example") is False  # not a race: no retry
        assert (writer.relink_retries, writer.relink_errors) == (RELINK_ATTEMPTS, 2)
    finally:
        writer.close()


def test_image_evidence_whose_site_is_merged_meanwhile_is_kept_on_the_surviving_site(
        tmp_path: Path) -> None:  # fmt: skip
    """An image match is written in two steps (the registry's evidence, then the image row
    pointing at the site).  A relink that merges the site in between used to make the row's
    foreign key fail, counted as a duplicate: the match was lost.  The merge is staged at
    that very point here (a real relink, run when the first step returns)."""
    from test_image_evidence import MATCH, Writer, image_item, poster

    from crawler.evidence.image_models import ImageEvidence

    world = Writer(tmp_path, f"sqlite:///{tmp_path / 'registry.db'}")
    relinker = FeatureWriter(world.url)
    try:
        old, new = pair(0)
        survivor, merged = world.site(old), world.site(new)
        with Session(world.registry._engine) as session, session.begin():
            for domain in (old, new):
                store_features(session, domain, f"http://{domain}/favicon.ico", T0,
                               [Feature("favicon", "icon-x", f"http://{domain}/favicon.ico")])
        first_step = world.writer._record_evidence

        def then_merged(row: object, signals: list[dict[str, object]]) -> object:
            site = first_step(row, signals)
            if relinker.relinked == 0:
                assert relinker.relink(new)  # the concurrent relink, at the worst moment
            return site

        world.writer._record_evidence = then_merged  # type: ignore[method-assign]
        kept = world.writer.record(image_item(new, poster(seed=5)), MATCH)
        assert kept is not None and kept.site_id == survivor != merged
        assert world.stats["evidence/site_merged_meanwhile"] == 1
        assert world.stats["evidence/duplicate"] == 0 and world.stats["evidence/kept"] == 1
        with Session(world.registry._engine) as session:
            [row] = session.scalars(select(ImageEvidence)).all()
            evidence = session.get(Evidence, row.evidence_id)
        assert row.site_id == survivor and evidence is not None and evidence.site_id == survivor
    finally:
        relinker.close()
        world.store.close()
        world.anchor.close()
        world.registry.close()
