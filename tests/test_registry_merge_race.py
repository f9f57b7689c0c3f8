"""A registry write that reads a domain's site just before a relink merges that site away
(crawler.linking.relink) lost a race: it is run again and lands on the surviving site."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.registry import Registry, backend, bulk, store
from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.models import Domain, Site
from detectors.site import SiteConfig

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _flag(registry: Registry, domain: str) -> int:
    view = registry.record_page_verdict(
        domain=domain, url=f"https://{domain}/", score=0.95, infringing=True, kind="index",
        explanation="x", signals=[], content_sha256=hashlib.sha256(domain.encode()).hexdigest(),
        seen_at=NOW)  # fmt: skip
    assert view is not None
    return view.id


def _merge(registry: Registry, gone: int, survivor: int) -> None:
    """What a relink does to the rows that matter here: domains move, the site goes."""
    def merge(session: Session) -> None:
        session.execute(update(Domain).where(Domain.site_id == gone).values(site_id=survivor))
        session.delete(session.get(Site, gone))

    registry.write(merge)


def test_a_stale_site_id_is_a_lost_race_on_both_write_paths(registry_url: str) -> None:
    with Registry.open(registry_url) as registry:
        old, new = _flag(registry, "pirate-old.to"), _flag(registry, "pirate-new.cc")
        _merge(registry, gone=new, survivor=old)
        page = store.page_verdict(
            domain="pirate-new.cc", url="https://pirate-new.cc/2", score=0.9, infringing=True,
            kind="index", explanation="x", signals=[], content_sha256="a" * 64,
            seen_at=NOW)  # fmt: skip
        with pytest.raises(SiteMovedMeanwhile):  # the per-page path locks the site it read
            registry.write(lambda session: backend._locked_site(session, new))
        with pytest.raises(SiteMovedMeanwhile):  # the batch path, with owners read before
            registry.write(lambda session: bulk._record_known(
                session, [page], {"pirate-new.cc": new}, SiteConfig()))  # fmt: skip


def test_a_lost_race_is_run_again_and_lands_on_the_survivor(registry_url: str) -> None:
    with Registry.open(registry_url) as registry:
        old, new = _flag(registry, "pirate-old.to"), _flag(registry, "pirate-new.cc")
        attempts: list[int] = []

        def work(session: Session) -> int:
            attempts.append(1)
            if len(attempts) == 1:  # the merge commits between our read and our lock
                _merge(registry, gone=new, survivor=old)
                raise SiteMovedMeanwhile("merged meanwhile")
            return registry.record_page_verdicts([dict(
                domain="pirate-new.cc", url="https://pirate-new.cc/2", score=0.9,
                infringing=True, kind="index", explanation="x", signals=[],
                content_sha256="b" * 64, seen_at=NOW)])  # fmt: skip

        assert registry._write_retrying(work) == 1
        assert len(attempts) == 2
        with registry.reading() as session:
            owner = session.scalar(select(Domain.site_id).where(Domain.domain == "pirate-new.cc"))
        assert owner == old
        [site] = [s for s in registry.sites() if s.id == old]
        assert {"pirate-old.to", "pirate-new.cc"} <= set(site.domains)
