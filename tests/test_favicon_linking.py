"""What the crawl now hands to linking: favicons fetched as images, and the HTTP status of a
redirect chain, each ending up as a recorded proof of a new domain joining a known site."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from crawler.config import load_config
from crawler.images.pipeline import ImagePipeline
from crawler.items import ImageItem, PageItem
from crawler.linking.link import DomainProof, domain_proofs
from crawler.linking.pipeline import LinkingPipeline
from crawler.linking.store import FeatureWriter
from crawler.registry import Registry
from crawler.sandbox import build_web
from detectors.base import Verdict
from spiders.discovery import DiscoverySpider

T0 = datetime(2026, 11, 1, tzinfo=UTC)
PAGE = (b'<html><script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF">'
        b"</script><p>a</p></html>")


@dataclass
class World:
    crawler: Any
    registry: Registry
    linking: LinkingPipeline
    images: ImagePipeline
    url: str
    clock: datetime = T0

    def page(self, url: str, domain: str, body: bytes, chain: list[str] = (),  # type: ignore[assignment]
             reasons: list[int | str] = ()) -> int:  # type: ignore[assignment]  # fmt: skip
        """A flagged page through linking then the registry, as the item pipelines do."""
        self.clock += timedelta(minutes=1)
        item = PageItem(url=url, domain=domain, status=200, content_type="text/html",
                        kind="html", body=body, fetched_at=self.clock,
                        redirect_chain=list(chain), redirect_reasons=list(reasons),
                        verdict=Verdict(0.9, True, "index", (), "test"))  # fmt: skip
        asyncio.run(self.linking.process_item(item))
        site = self.registry.record_page_verdict(
            domain=domain, url=url, score=0.9, infringing=True, kind="index",
            explanation="test", signals=[], content_sha256=hashlib.sha256(body).hexdigest(),
            seen_at=self.clock, aliases=[(d, "redirect") for d in item.redirect_domains])
        assert site is not None
        return site.id

    def favicon(self, domain: str, body: bytes) -> None:
        self.clock += timedelta(minutes=1)
        url = f"http://{domain}/favicon.ico"
        asyncio.run(self.images.process_item(ImageItem(
            url=url, domain=domain, page_url=f"http://{domain}/", role="favicon",
            content_type="image/x-icon", sha256=hashlib.sha256(body).hexdigest(), body=body,
            fetched_at=self.clock)))

    def proofs(self, site_id: int) -> dict[str, DomainProof]:
        engine = create_engine(self.url)
        with Session(engine) as session:
            rows = {r.domain: r for r in domain_proofs(session, site_id)}
        engine.dispose()
        return rows


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("ISOP_DATA_DIR", str(tmp_path))  # an empty catalog
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    config = load_config(environ={}).with_overrides(database={"url": url})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    crawler.stats.open_spider()
    w = World(crawler, Registry.open(url), LinkingPipeline(FeatureWriter(url), crawler.stats),
              ImagePipeline.from_crawler(crawler), url)  # fmt: skip
    yield w
    w.images.close_spider()
    w.linking.close_spider()
    w.registry.close()


def test_a_301_from_a_known_domain_is_proven_with_its_status(world: World) -> None:
    old = world.page("http://oldname.to/", "oldname.to", b"<html>a</html>")
    new = world.page("http://newname.to/", "newname.to", b"<html>b</html>",
                     chain=["http://oldname.to/", "http://oldname.to/go"],
                     reasons=[302, 301])  # fmt: skip
    assert new == old
    joined = world.proofs(old)["newname.to"]
    assert joined.how_linked == "http_301"
    assert joined.proofs == (("http_301", "http://oldname.to/go: http 301 to newname.to"),)


def test_a_redirect_without_a_known_status_keeps_the_generic_proof(world: World) -> None:
    old = world.page("http://oldname.to/", "oldname.to", b"<html>a</html>")
    new = world.page("http://newname.to/", "newname.to", b"<html>b</html>",
                     chain=["http://oldname.to/"], reasons=["meta refresh"])  # fmt: skip
    assert new == old
    assert world.proofs(old)["newname.to"].how_linked == "http_redirect"


def test_favicons_fetched_as_images_are_a_proof_beside_the_strong_one(world: World) -> None:
    """Two domains of one sandbox operation serve the same favicon; fetched as images (not
    as pages), it is found in common when the second domain joins the first's site."""
    web = build_web(seed=1)
    first_domain, second_domain = [e.domain for e in web.truth() if e.site == "flixtorrent"]
    icons = [web.fetch(f"http://{d}/favicon.ico").body for d in (first_domain, second_domain)]
    assert icons[0] == icons[1]
    page = PAGE
    world.favicon(first_domain, icons[0])
    first = world.page(f"http://{first_domain}/", first_domain, page)
    world.favicon(second_domain, icons[1])
    second = world.page(f"http://{second_domain}/", second_domain, page.replace(b"<p>a<", b"<p>b<"))
    assert second == first
    kinds = [kind for kind, _ in world.proofs(first)[second_domain].proofs]
    # supporting, after the strong one; the same label under another suffix is a hop name
    assert kinds == ["ga4", "favicon", "hop_name"]


def test_without_the_favicons_only_the_identifier_links(world: World) -> None:
    page = PAGE
    first = world.page("http://flixtorrent.to/", "flixtorrent.to", page)
    world.page("http://flixtorrent.cc/", "flixtorrent.cc", page.replace(b"<p>a<", b"<p>b<"))
    assert [k for k, _ in world.proofs(first)["flixtorrent.cc"].proofs] == ["ga4"]
