"""The parts of image fetching, one at a time: which images a page offers, the per-site
budget over an offline crawl of the sandbox, answers that are no image, magic-byte sniffing,
and the image pipeline with an empty catalog."""

from __future__ import annotations

import asyncio
import io
import logging
import struct
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.domains import registered_domain
from crawler.extract.html import parse_html
from crawler.extract.replay import replay
from crawler.images.fetch import IMAGE_PRIORITY, META_KEY
from crawler.images.finder import ImageBudget, ImageRef, page_images
from crawler.images.pipeline import ImagePipeline
from crawler.items import ImageItem
from crawler.sandbox import build_web
from detectors.inputs import sniff_kind
from spiders.discovery import DiscoverySpider
from spiders.streaming import StreamingSpider

PAGE = b"""<html><head><base href="http://cdn.example.net/site/">
<link rel="apple-touch-icon" href="/touch.png"><link rel="shortcut icon" href="/i/fav.png">
<meta property="og:image" content="/og/hero.jpg"></head><body>
<video poster="p/trailer.jpg"></video>
<img src="/logo.png" class="site-logo"><img src="t/thumb-1.jpg"><img src="/px.gif" width="1">
<img src="/spacer.gif"><img src="/art.svg" class="poster"><img src="data:image/png;base64,AA">
<script>jwplayer("p").setup({file: "x.m3u8", image: "https:\\/\\/img.example.org\\/a.jpg"})</script>
</body></html>"""


def _config(tmp: Path, **crawl: Any) -> Any:
    config = load_config(environ={}).with_overrides(crawl={"max_site_hops": 1, **crawl})
    return config.model_copy(update={"data_dir": tmp})


def _image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt)
    return out.getvalue()


def test_a_page_offers_its_favicon_posters_logos_and_thumbnails_in_that_order() -> None:
    refs = page_images(parse_html(PAGE), "http://site.example.net/film/1")
    assert refs == [
        ImageRef("http://cdn.example.net/i/fav.png", "favicon"),
        ImageRef("http://cdn.example.net/og/hero.jpg", "poster"),
        ImageRef("http://cdn.example.net/site/p/trailer.jpg", "poster"),
        ImageRef("https://img.example.org/a.jpg", "poster"),
        ImageRef("http://cdn.example.net/logo.png", "logo"),
        ImageRef("http://cdn.example.net/site/t/thumb-1.jpg", "thumbnail"),
    ]  # no tracking pixel, spacer GIF, vector art or data: URI
    bare = page_images(parse_html(b"<html><body><p>hi</p></body></html>"), "https://a.example/x")
    assert bare == [ImageRef("https://a.example/favicon.ico", "favicon")]


def test_the_budget_takes_a_favicon_once_and_stops_at_the_cap() -> None:
    budget = ImageBudget(3)
    first = budget.take("a.to", [ImageRef("http://a.to/favicon.ico", "favicon"),
                                 ImageRef("http://a.to/1.jpg", "poster")])  # fmt: skip
    again = budget.take("a.to", [ImageRef("http://a.to/other.ico", "favicon"),
                                 ImageRef("http://a.to/1.jpg", "poster"),
                                 ImageRef("http://a.to/2.jpg", "poster"),
                                 ImageRef("http://a.to/3.jpg", "poster")])  # fmt: skip
    assert [r.url for r in first + again] == ["http://a.to/favicon.ico", "http://a.to/1.jpg",
                                              "http://a.to/2.jpg"]  # fmt: skip
    assert budget.take("b.to", [ImageRef("http://a.to/9.jpg", "poster")]) != []
    assert ImageBudget(0).take("c.to", [ImageRef("http://c.to/1.jpg", "poster")]) == []
    small = ImageBudget(1, max_sites=2)
    for site in ("a.to", "b.to", "a.to", "c.to"):  # b.to is the least recently seen
        small.take(site, [ImageRef(f"http://{site}/favicon.ico", "favicon")])
    assert list(small.sites) == ["a.to", "c.to"]


@pytest.mark.parametrize("spider_cls", [DiscoverySpider, StreamingSpider])
def test_an_offline_crawl_keeps_every_site_within_its_image_budget(
        spider_cls: type, tmp_path: Path) -> None:  # fmt: skip
    config = _config(tmp_path, images_per_site=2)
    crawler = get_crawler(spider_cls, {"ISOP_CONFIG": config})
    spider = crawler._create_spider()
    spider.max_site_hops = 1
    web = build_web(seed=1)
    seeds = ["http://cinemagnet.mx/", "http://nontonfilm21.co.id/", "http://plazatv.com/"]
    images: list[Request] = []
    pages: list[Request] = []
    for _, _, outputs in replay(web, spider, seeds, max_pages=90):
        for out in outputs:
            if isinstance(out, Request):
                (images if META_KEY in out.meta else pages).append(out)
    per_site = Counter(r.meta[META_KEY]["site"] for r in images)
    favicons = Counter(r.meta[META_KEY]["site"] for r in images
                       if r.meta[META_KEY]["role"] == "favicon")  # fmt: skip
    assert len(per_site) >= 3 and max(per_site.values()) == 2
    assert set(favicons.values()) == {1}
    assert max(r.priority for r in images) == IMAGE_PRIORITY < min(r.priority for r in pages)
    assert {r.meta["download_maxsize"] for r in images} == {config.safety.max_image_bytes}


def test_an_answer_that_is_no_image_is_counted_and_dropped(tmp_path: Path) -> None:
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": _config(tmp_path)})
    spider = crawler._create_spider()
    meta = {META_KEY: {"role": "favicon", "page_url": "http://a.to/", "site": "a.to"}}
    request = Request("http://a.to/favicon.ico", meta=meta)
    html = Response(request.url, body=b"<html>Not found</html>", request=request)
    assert list(spider.parse_image(html)) == []
    ico = Response(request.url, body=_image("ICO", (32, 32)), request=request)
    [item] = list(spider.parse_image(ico))
    assert (item.role, item.domain, item.page_url) == ("favicon", "a.to", "http://a.to/")
    stats = crawler.stats.get_stats()
    assert stats["isop/images/not_image/favicon"] == 1
    assert stats["isop/images/fetched/favicon"] == 1


def test_images_are_sniffed_by_their_magic_bytes_whatever_their_name() -> None:
    for fmt in ("JPEG", "PNG", "GIF", "WEBP", "BMP", "ICO"):
        assert sniff_kind(_image(fmt), "page.html", "text/html") == "image", fmt
    assert sniff_kind(b"BMW owners club <html>", "x.html") == "html"
    assert sniff_kind(b"\x00\x00\x01\x00\x00\x00", "x.bin") != "image"  # ICO with no entries
    assert sniff_kind(b"RIFF\x10\x00\x00\x00WAVEfmt ") != "image"


def test_an_empty_catalog_is_said_once_and_bytes_are_not_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    monkeypatch.setenv("ISOP_DATA_DIR", str(tmp_path))
    config = _config(tmp_path).with_overrides(
        database={"url": f"sqlite:///{tmp_path / 'registry.db'}"})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    crawler.stats.open_spider()
    pipeline = ImagePipeline.from_crawler(crawler)
    web = build_web(seed=1)
    items = []
    for url in ("http://plazatv.com/favicon.ico", "http://cinemagnet.mx/logo.png"):
        body = web.fetch(url).body
        items.append(ImageItem(url=url, domain=registered_domain(url), page_url=url,
                               role="favicon" if url.endswith(".ico") else "logo",
                               content_type="image/png", sha256="0" * 64, body=body,
                               fetched_at=datetime.now(UTC)))  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="crawler.images.pipeline"):
        for item in items:
            asyncio.run(pipeline.process_item(item))
    pipeline.close_spider()
    said = [r for r in caplog.records if "catalog" in r.getMessage()]
    assert len(said) == 1 and str(tmp_path / "catalog") in said[0].getMessage()
    assert all(i.verdict is not None and not i.verdict.signals for i in items)
    assert all(i.body == b"" and i.sha256 == "0" * 64 for i in items)
    stats = crawler.stats.get_stats()
    assert stats["isop/images/catalog_empty"] == 1
    assert stats["isop/images/favicon_features"] == 1


def test_broken_and_hostile_images_are_judged_without_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("ISOP_DATA_DIR", str(tmp_path))
    config = _config(tmp_path).with_overrides(
        database={"url": f"sqlite:///{tmp_path / 'registry.db'}"})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    crawler.stats.open_spider()
    pipeline = ImagePipeline.from_crawler(crawler)
    good = _image("PNG", (64, 64))
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 10 gigapixels, RGB
    bomb = b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
        for tag, data in ((b"IHDR", ihdr), (b"IDAT", zlib.compress(b"\x00" * 4096)),
                          (b"IEND", b"")))  # fmt: skip
    bodies = {"truncated": _image("JPEG", (300, 200))[:400], "junk": good[:16] + b"\x00" * 300,
              "bomb": bomb, "empty-ico": b"\x00\x00\x01\x00\x01\x00" + b"\xff" * 40}
    for name, body in bodies.items():
        item = ImageItem(url=f"http://a.to/{name}", domain="a.to", page_url="http://a.to/",
                         role="favicon", content_type="image/png", sha256="0" * 64, body=body,
                         fetched_at=datetime.now(UTC))  # fmt: skip
        assert asyncio.run(pipeline.process_item(item)) is item
        assert item.verdict is not None and not item.verdict.signals, name
    assert pipeline.detection.errors == {}  # refused as unusable, not failed
    pipeline.close_spider()
    stats = crawler.stats.get_stats()
    assert stats["isop/images/evaluated/favicon"] == len(bodies)
    assert not any(key.startswith("isop/images/store_errors") for key in stats)
