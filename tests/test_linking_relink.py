"""A favicon that arrives after the domain's first page: the domain is re-decided then.

The icons are the sandbox's real favicon bytes; the pages share nothing else (no identifier,
no redirect, different bodies), so only the late favicon, together with a guessable name,
can tie the new domain to the known site.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.api.models import SiteTag
from crawler.config import load_config
from crawler.images.pipeline import ImagePipeline
from crawler.items import ImageItem, PageItem
from crawler.linking.favicon import favicon_key
from crawler.linking.features import Feature, page_features
from crawler.linking.link import domain_proofs
from crawler.linking.models import DomainLink
from crawler.linking.pipeline import LinkingPipeline
from crawler.linking.store import FeatureWriter
from crawler.registry import Registry
from crawler.registry.models import Domain, Evidence, ScoreHistory, Site, SiteEvent
from crawler.sandbox import build_web
from spiders.discovery import DiscoverySpider

T0 = datetime(2026, 11, 1, tzinfo=UTC)
WEB = build_web(seed=1)


def icon(domain: str) -> bytes:
    """A domain's favicon; an old domain that now redirects (the sandbox's hops) served the
    icon of the domain it redirects to."""
    response = WEB.fetch(f"http://{domain}/favicon.ico")
    if response.status in (301, 302):
        return icon(dict(response.headers)["Location"].split("/")[2])
    assert response.status == 200, (domain, response.status)
    return response.body


class World:
    """A registry and the linking feature writer on one database, pages written as the
    linking and registry pipelines write them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.registry = Registry.open(url)
        self.writer = FeatureWriter(url)
        self.engine = create_engine(url)
        self.clock = T0

    def flag(self, domain: str, body: str) -> int:
        self.clock += timedelta(minutes=1)
        url = f"http://{domain}/"
        self.writer.write(domain, url, self.clock, page_features(url, "text/html",
                                                                 body.encode()))
        site = self.registry.record_page_verdict(
            domain=domain, url=url, score=0.9, infringing=True, kind="index",
            explanation="test", signals=[], content_sha256=hashlib.sha256(body.encode())
            .hexdigest(), seen_at=self.clock, aliases=())  # fmt: skip
        assert site is not None
        return site.id

    def favicon(self, domain: str) -> None:
        """What the image pipeline stores for a fetched favicon (its key, via the writer)."""
        self.clock += timedelta(minutes=1)
        key = favicon_key(icon(domain))
        assert key is not None
        url = f"http://{domain}/favicon.ico"
        self.writer.write(domain, url, self.clock, [Feature("favicon", key, url)])

    def site_of(self, domain: str) -> int:
        with Session(self.engine) as session:
            site_id = session.scalar(select(Domain.site_id).where(Domain.domain == domain))
        assert site_id is not None
        return site_id

    def count(self, model: type, site_id: int) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(model)
                                  .where(model.site_id == site_id)) or 0  # type: ignore[attr-defined]

    def hop_alerts(self) -> list[OutboxAlert]:
        with Session(self.engine) as session:
            return list(session.scalars(select(OutboxAlert)
                                        .where(OutboxAlert.event == "site.hopped")))

    def close(self) -> None:
        self.writer.close()
        self.registry.close()
        self.engine.dispose()


#: Decision logic that does not depend on the backend runs on SQLite only (time budget); the
#: merge itself, with its savepoints, runs on both.
SQLITE_ONLY = pytest.mark.parametrize("registry_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(registry_url: str) -> Iterator[World]:
    """On SQLite and on a throwaway PostgreSQL in turn (``registry_url`` in conftest)."""
    w = World(registry_url)
    yield w
    w.close()


def test_sandbox_favicons_of_one_operation_match_and_of_an_unrelated_one_collide() -> None:
    # The premise of the tests below, on the sandbox's real icons.
    assert favicon_key(icon("flixtorrent.to")) == favicon_key(icon("flixtorrent.cc"))
    assert favicon_key(icon("footylive-hd.io")) == favicon_key(icon("flixtorrent.to"))


@pytest.mark.parametrize("silent_days", [8, 0])
def test_a_late_favicon_links_the_first_sight_site_to_the_known_one(
        world: World, silent_days: int) -> None:
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    world.clock += timedelta(days=silent_days)
    first_sight = world.flag("flixtorrent.cc", "<html><body><p>a new home</p></body></html>")
    assert first_sight != old  # nothing but the favicon ties them, and it is not here yet
    world.favicon("flixtorrent.cc")
    assert world.writer.relinked == 1 and world.writer.relink_errors == 0
    assert world.site_of("flixtorrent.cc") == old
    with Session(world.engine) as session:
        assert session.get(Site, first_sight) is None  # merged away
        rows = {r.domain: r for r in domain_proofs(session, old)}
        notes = list(session.scalars(select(SiteEvent.text).where(SiteEvent.site_id == old)))
    joined = rows["flixtorrent.cc"]
    assert [kind for kind, _ in joined.proofs] == ["favicon", "hop_name"]
    assert "flixtorrent.cc is hop candidate #" in joined.proofs[1][1]
    assert joined.how_linked == "favicon"
    assert world.count(Evidence, old) == 2  # the first-sight page's evidence came along
    assert world.count(ScoreHistory, old) == 2
    assert any(f"site #{first_sight}" in n and "merged" in n for n in notes)
    if silent_days:  # the old primary was silent for a week: a hop, with its alert
        assert (rows["flixtorrent.to"].role, joined.role) == ("former", "primary")
        alerts = world.hop_alerts()
        assert [a.payload["domain"] for a in alerts] == ["flixtorrent.cc"]
        assert alerts[0].site_id == old
        assert {p["kind"] for p in alerts[0].payload["proofs"]} == {"favicon", "hop_name"}
    else:  # crawled a minute ago: a mirror beside the live primary, no alert
        assert (rows["flixtorrent.to"].role, joined.role) == ("primary", "mirror")
        assert world.hop_alerts() == []


@SQLITE_ONLY
def test_when_the_old_domain_s_icon_comes_late_the_younger_site_joins_the_older(
        world: World) -> None:
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.clock += timedelta(days=8)
    new = world.flag("flixtorrent.cc", "<html><body><p>a new home</p></body></html>")
    world.favicon("flixtorrent.cc")  # nothing known has this icon yet
    assert world.writer.relinked == 0
    world.favicon("flixtorrent.to")  # now flixtorrent.to's: the .cc site, younger, merges
    assert world.site_of("flixtorrent.to") == world.site_of("flixtorrent.cc") == old
    with Session(world.engine) as session:
        assert session.get(Site, new) is None
        rows = {r.domain: r for r in domain_proofs(session, old)}
    assert (rows["flixtorrent.to"].role, rows["flixtorrent.cc"].role) == ("former", "primary")
    assert rows["flixtorrent.to"].proofs == ()  # proofs are recorded on the joining domain
    assert [k for k, _ in rows["flixtorrent.cc"].proofs] == ["favicon", "hop_name"]


@SQLITE_ONLY
def test_a_late_pointer_from_a_known_page_links_its_target(world: World) -> None:
    """The same second look for a redirect seen after its target's first page: a known
    site's page sends visitors (JS location) to a domain that is already a site of its own."""
    old = world.flag("moviehop.org", "<html><body>old</body></html>")
    new = world.flag("moviehop.net", "<html><body>fresh</body></html>")
    assert new != old
    world.flag("moviehop.org", '<html><script>window.location.href = "https://moviehop.net/";'
                               "</script></html>")  # fmt: skip
    assert world.site_of("moviehop.net") == old
    with Session(world.engine) as session:
        rows = {r.domain: r for r in domain_proofs(session, old)}
    assert rows["moviehop.net"].how_linked == "js_location"
    assert (rows["moviehop.org"].role, rows["moviehop.net"].role) == ("former", "primary")
    assert [a.payload["domain"] for a in world.hop_alerts()] == ["moviehop.net"]


def test_rows_that_would_clash_on_a_unique_key_are_dropped_the_rest_move(
        world: World) -> None:
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    new = world.flag("flixtorrent.cc", "<html><body>new</body></html>")
    with Session(world.engine) as session, session.begin():  # country tags (the API's scopes)
        session.add_all([SiteTag(site_id=old, tag="FR"), SiteTag(site_id=new, tag="FR"),
                         SiteTag(site_id=new, tag="BE")])
    world.favicon("flixtorrent.cc")
    assert world.site_of("flixtorrent.cc") == old
    with Session(world.engine) as session:
        tags = session.execute(select(SiteTag.site_id, SiteTag.tag)).all()
    assert sorted(tags) == [(old, "BE"), (old, "FR")]


@SQLITE_ONLY
def test_the_page_path_links_on_an_icon_stored_first(world: World) -> None:
    """When the favicon was stored before the first page (an icon page crawled first), the
    page path itself links on favicon and name: no merge needed."""
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    world.favicon("flixtorrent.cc")
    assert world.flag("flixtorrent.cc", "<html><body>new</body></html>") == old
    assert world.writer.relinked == 0


@SQLITE_ONLY
def test_a_colliding_icon_under_an_unrelated_name_links_nothing(world: World) -> None:
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    other = world.flag("footylive-hd.io", "<html><body>live football</body></html>")
    world.favicon("footylive-hd.io")  # the same key as flixtorrent's: a letter-icon collision
    assert world.site_of("footylive-hd.io") == other != old
    assert world.writer.relinked == 0
    with Session(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(DomainLink)) == 0


@SQLITE_ONLY
def test_only_a_first_sight_site_is_merged(world: World) -> None:
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    mine = world.flag("flixtorrent.cc", "<html><body>new</body></html>")
    with Session(world.engine) as session, session.begin():  # an analyst's verdict on it
        site = session.get(Site, mine)
        assert site is not None
        site.verdict = "confirmed"
    world.favicon("flixtorrent.cc")
    assert world.site_of("flixtorrent.cc") == mine != old
    assert world.writer.relink(
        "unknown-domain.to") is False  # not recorded yet: the page path will decide


@SQLITE_ONLY
def test_an_icon_fetched_as_a_page_relinks_and_is_counted(world: World) -> None:
    """The linking pipeline stores /favicon.ico pages too; its stats count the re-decision."""
    old = world.flag("flixtorrent.to", "<html><body>old home</body></html>")
    world.favicon("flixtorrent.to")
    world.flag("flixtorrent.cc", "<html><body>new</body></html>")
    crawler = get_crawler(DiscoverySpider)
    crawler.stats.open_spider()
    pipeline = LinkingPipeline(world.writer, crawler.stats)
    try:
        asyncio.run(pipeline.process_item(PageItem(
            url="http://flixtorrent.cc/favicon.ico", domain="flixtorrent.cc", status=200,
            content_type="image/x-icon", kind="image", body=icon("flixtorrent.cc"),
            fetched_at=world.clock + timedelta(minutes=1))))  # fmt: skip
    finally:
        pipeline.executor.shutdown(wait=True)
    assert world.site_of("flixtorrent.cc") == old
    assert crawler.stats.get_value("isop/linking/relinked") == 1
    assert crawler.stats.get_value("isop/linking/relink_errors") is None


def test_the_image_pipeline_favicon_path_relinks(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The favicon as the crawl stores it: an ImageItem through the real image pipeline."""
    monkeypatch.setenv("ISOP_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    w = World(url)
    config = load_config(environ={}).with_overrides(database={"url": url})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    crawler.stats.open_spider()
    images = ImagePipeline.from_crawler(crawler)
    try:
        old = w.flag("torrentjoa36.com", "<html><body>36</body></html>")
        w.favicon("torrentjoa36.com")
        w.clock += timedelta(days=8)
        new = w.flag("torrentjoa37.com", "<html><body><p>37</p></body></html>")
        assert new != old
        body = icon("torrentjoa37.com")
        asyncio.run(images.process_item(ImageItem(
            url="http://torrentjoa37.com/favicon.ico", domain="torrentjoa37.com",
            page_url="http://torrentjoa37.com/", role="favicon", content_type="image/x-icon",
            sha256=hashlib.sha256(body).hexdigest(), body=body,
            fetched_at=w.clock + timedelta(minutes=1))))  # fmt: skip
        assert w.site_of("torrentjoa37.com") == old
        assert [a.payload["domain"] for a in w.hop_alerts()] == ["torrentjoa37.com"]
    finally:
        images.close_spider()
        w.close()
