"""Mirrors vs hops: a new domain linked to a site whose primary still answers is a mirror
(primary kept, no alert); it is a hop (new primary, old one former, one site.hopped alert)
when the old domain redirects to it or the monitor saw the site go down.  Proofs and the
reason are recorded either way.  SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.linking.features import Feature
from crawler.linking.link import LIVE_WITHIN, domain_proofs
from crawler.linking.store import FeatureWriter
from crawler.registry import Registry
from crawler.registry.checks import CheckResult

T0 = datetime(2026, 11, 1, tzinfo=UTC)
GA = Feature("ga4", "G-MIRROR0001")


class World:
    def __init__(self, url: str) -> None:
        self.registry = Registry.open(url)
        self.writer = FeatureWriter(url)
        self.engine = create_engine(url)
        self.clock = T0

    def flag(self, domain: str, features: list[Feature], aliases: tuple[tuple[str, str], ...] = ()
             ) -> int:  # fmt: skip
        self.clock += timedelta(minutes=1)
        url = f"http://{domain}/"
        self.writer.write(domain, url, self.clock, features)
        site = self.registry.record_page_verdict(
            domain=domain, url=url, score=0.9, infringing=True, kind="streaming",
            explanation="test", signals=[], seen_at=self.clock, aliases=aliases,
            content_sha256=hashlib.sha256(domain.encode()).hexdigest())  # fmt: skip
        assert site is not None
        return site.id

    def roles(self, site_id: int) -> dict[str, str]:
        with Session(self.engine) as session:
            return {p.domain: p.role for p in domain_proofs(session, site_id)}

    def hop_alerts(self) -> list[OutboxAlert]:
        with Session(self.engine) as session:
            return list(session.scalars(select(OutboxAlert).where(
                OutboxAlert.event == "site.hopped")))  # fmt: skip

    def notes(self, domain: str) -> list[str]:
        history = self.registry.history(domain)
        assert history is not None
        return [e.text or "" for e in history.events if e.actor == "linking"]


@pytest.fixture
def world(registry_url: str) -> Iterator[World]:
    w = World(registry_url)
    yield w
    w.writer.close()
    w.registry.close()
    w.engine.dispose()


def test_a_live_primary_keeps_its_place_the_new_domain_is_a_mirror(world: World) -> None:
    site = world.flag("streamhub.to", [GA])
    assert world.flag("streamhub.cc", [GA]) == site
    assert world.roles(site) == {"streamhub.to": "primary", "streamhub.cc": "mirror"}
    view = world.registry.site_by_domain("streamhub.cc")
    assert view is not None and view.label == "streamhub.to"
    assert view.domains == ["streamhub.to", "streamhub.cc"]
    assert world.hop_alerts() == []
    with Session(world.engine) as session:
        proofs = {p.domain: p.proofs for p in domain_proofs(session, site)}
    assert proofs["streamhub.cc"][0][0] == "ga4"  # the proof is kept for the mirror too
    assert any("mirror" in n and "streamhub.to is live" in n for n in world.notes("streamhub.cc"))


def test_a_redirect_from_the_old_domain_is_a_hop(world: World) -> None:
    site = world.flag("oldhome.to", [GA])
    assert world.flag("newhome.to", [GA], aliases=(("oldhome.to", "redirect"),)) == site
    assert world.roles(site) == {"oldhome.to": "former", "newhome.to": "primary"}
    alerts = world.hop_alerts()
    assert len(alerts) == 1 and alerts[0].payload["domain"] == "newhome.to"
    assert "oldhome.to redirects here" in alerts[0].payload["why"]


def test_a_js_location_from_the_old_page_is_a_hop_the_other_way_round_a_mirror(
    world: World,
) -> None:
    site = world.flag("jsold.to", [Feature("js_location", "jsnew.to")])
    assert world.flag("jsnew.to", []) == site
    assert world.roles(site)["jsnew.to"] == "primary"
    # A new domain whose own page points at the (live) site is not where the site went.
    other = world.flag("backlink.to", [Feature("ga4", "G-OTHER00001")])
    assert world.flag("promo.to", [Feature("js_location", "backlink.to")]) == other
    assert world.roles(other) == {"backlink.to": "primary", "promo.to": "mirror"}
    assert [a.payload["domain"] for a in world.hop_alerts()] == ["jsnew.to"]


def test_a_site_the_monitor_saw_go_down_hops_to_the_linked_domain(world: World) -> None:
    site = world.flag("gone.to", [GA])
    at = world.clock + timedelta(minutes=5)
    for outcome, minutes in (("up", 0), ("parked", 10)):
        world.registry.record_check(CheckResult(
            site_id=site, domain="gone.to", url="http://gone.to/", outcome=outcome,
            at=at + timedelta(minutes=minutes), http_status=200))  # fmt: skip
    world.clock = at + timedelta(minutes=20)
    assert world.flag("gone.cc", [GA]) == site
    assert world.roles(site) == {"gone.to": "former", "gone.cc": "primary"}
    alerts = world.hop_alerts()
    assert len(alerts) == 1 and "parked per the monitor" in alerts[0].payload["why"]
    assert any("new primary (hop)" in n for n in world.notes("gone.cc"))


def test_a_primary_silent_for_longer_than_live_within_is_presumed_gone(world: World) -> None:
    site = world.flag("quiet.to", [GA])
    world.clock += LIVE_WITHIN + timedelta(days=1)  # a candidate: the monitor never visits
    assert world.flag("quiet.cc", [GA]) == site
    assert world.roles(site) == {"quiet.to": "former", "quiet.cc": "primary"}
    alerts = world.hop_alerts()
    assert len(alerts) == 1 and "quiet.to is silent" in alerts[0].payload["why"]
