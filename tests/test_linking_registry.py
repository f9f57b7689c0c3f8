"""Linking inside the registry write: which proofs link a new domain, and what gets recorded."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.linking.features import Feature, page_features
from crawler.linking.link import domain_proofs
from crawler.linking.store import FeatureWriter
from crawler.linking.template import signature
from crawler.registry import Registry

T0 = datetime(2026, 11, 1, tzinfo=UTC)
GA = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>'


class World:
    """A registry plus the linking feature writer on the same database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.registry = Registry.open(self.url)
        self.writer = FeatureWriter(self.url)
        self.clock = T0
        self.engine = create_engine(self.url)

    def flag(self, domain: str, html: str = "", features: list[Feature] | None = None,
             aliases: tuple[tuple[str, str], ...] = ()) -> int:
        """Store a flagged page's features, then record it; returns its site id."""
        self.clock += timedelta(minutes=1)
        url = f"http://{domain}/"
        feats = features if features is not None else page_features(url, "text/html",
                                                                    html.encode())
        self.writer.write(domain, url, self.clock, feats)
        site = self.registry.record_page_verdict(
            domain=domain, url=url, score=0.9, infringing=True, kind="index",
            explanation="test", signals=[], content_sha256=hashlib.sha256(html.encode())
            .hexdigest(), seen_at=self.clock, aliases=aliases)
        assert site is not None
        return site.id

    def session(self) -> Session:
        return Session(self.engine)


@pytest.fixture
def world(registry_url: str) -> Iterator[World]:
    """On SQLite and on a throwaway PostgreSQL in turn (``registry_url`` in conftest)."""
    w = World(registry_url)
    yield w
    w.writer.close()
    w.registry.close()
    w.engine.dispose()


def _alerts(world: World) -> list[OutboxAlert]:
    with world.session() as session:
        return list(session.scalars(select(OutboxAlert).where(OutboxAlert.event ==
                                                              "site.hopped")))


def test_shared_analytics_id_links_the_new_domain_with_its_proof(world: World) -> None:
    old = world.flag("flixhop.to", f"<html><head>{GA}</head><body>old</body></html>")
    new = world.flag("flixhop.cc", f"<html><head>{GA}</head><body>new home</body></html>")
    assert new == old
    with world.session() as session:
        rows = domain_proofs(session, old)
    assert [r.domain for r in rows] == ["flixhop.to", "flixhop.cc"]
    assert rows[1].how_linked == "ga4"
    assert rows[1].proofs[0][0] == "ga4" and "G-AB12CD34EF" in rows[1].proofs[0][1]
    assert rows[0].proofs == ()  # the first domain was discovered, not linked
    # flixhop.to was crawled a minute ago: a live mirror, not a hop (tests/test_registry_mirrors)
    assert [r.role for r in rows] == ["primary", "mirror"]
    assert _alerts(world) == []


def test_unrelated_domain_makes_a_new_site_and_no_alert(world: World) -> None:
    a = world.flag("alpha.to", f"<html>{GA}</html>")
    b = world.flag("beta.to", "<html><body>t.me/betachannel</body></html>")
    assert a != b
    assert _alerts(world) == []


def test_identifier_on_many_sites_proves_nothing(world: World) -> None:
    ids = {world.flag(f"site{i}.to", f"<html><i>UA-99{i}0001-1</i></html>") for i in range(3)}
    assert len(ids) == 3
    handle = [Feature("telegram", "cheapiptvhelp")]
    for i in range(2):  # a support handle on two known sites: still a proof...
        world.writer.write(f"site{i}.to", f"http://site{i}.to/help", world.clock, handle)
    assert world.flag("site7.to", features=handle) in ids
    world.writer.write("site2.to", "http://site2.to/help", world.clock, handle)
    # ...on three it is someone else's (a reseller network's helpdesk): no link.
    assert world.flag("site9.to", features=handle) not in ids


def test_js_location_on_a_known_page_links_its_target(world: World) -> None:
    html = '<html><script>window.location.href = "https://moviehop.net/home";</script></html>'
    old = world.flag("moviehop.org", html)
    new = world.flag("moviehop.net", "<html><body>fresh</body></html>")
    assert new == old
    with world.session() as session:
        row = domain_proofs(session, old)[-1]
    assert row.how_linked == "js_location" and "moviehop.org" in row.proofs[0][1]


def test_http_redirect_alias_is_recorded_as_proof(world: World) -> None:
    old = world.flag("oldname.to", "<html>a</html>")
    new = world.flag("newname.to", "<html>b</html>", aliases=(("oldname.to", "redirect"),))
    assert new == old
    with world.session() as session:
        rows = {r.domain: r for r in domain_proofs(session, old)}
    assert rows["newname.to"].how_linked == "http_redirect"
    assert rows["oldname.to"].role == "former"


def _page(n: int) -> str:
    """A listing page whose skeleton varies along the page (as real ones do)."""
    rows = "".join(f'<tr class="r{i % 9}">' + "<td>x</td>" * (1 + i % 4) + "</tr>"
                   for i in range(n))
    return (f'<html><body><div class="wrap"><div class="nav"><a>h</a></div><table '
            f'id="list">{rows}</table><div class="foot"><p>f</p></div></div></body></html>')


def test_template_alone_does_not_link_but_with_the_same_favicon_it_does(world: World) -> None:
    sig = signature(_page(40))
    assert sig is not None
    tmpl = [Feature("template_sig", sig.to_hex())] + [Feature("template_band", b)
                                                        for b in sig.bands()]
    a = world.flag("kit-one.to", _page(40), tmpl)
    b = world.flag("kit-two.to", _page(40), tmpl)
    assert a != b  # same template kit, different operators: not enough
    icon = [Feature("favicon", "ce993166cc66c699/18")]
    c = world.flag("kit-three.to", _page(40), tmpl + icon)
    world.writer.write("kit-one.to", "http://kit-one.to/favicon.ico", world.clock, icon)
    d = world.flag("kit-four.to", _page(40), tmpl + icon)
    assert c != a  # when kit-three came, no known site had its favicon
    assert d in (a, c)  # template and favicon together link
    with world.session() as session:
        row = domain_proofs(session, d)[-1]
    assert {kind for kind, _ in row.proofs} == {"template", "favicon"}
