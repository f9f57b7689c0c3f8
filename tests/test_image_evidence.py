"""Matched images kept as evidence (crawler.evidence.images), on real registries (SQLite and
PostgreSQL) and real WARC files: the thumbnail pair and the reference id stored, the bytes as
fetched in a chained WARC capture, hostile bytes a counted error without a thumbnail, a match
on a domain without a site (or refused by the registry) kept pending and attached when the
site appears."""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.evidence import chain
from crawler.evidence.anchor import LOG_NAME, HeadLog, read_log
from crawler.evidence.image_models import ImageEvidence
from crawler.evidence.images import ImageEvidenceWriter, ImageMatch
from crawler.evidence.warc import WarcStore, read_range
from crawler.items import ImageItem
from crawler.registry import Registry
from crawler.registry.models import Evidence

WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def poster(size: tuple[int, int] = (500, 750), fmt: str = "JPEG", seed: int = 1) -> bytes:
    """A poster-like picture: gradients in 4-pixel blocks, not one colour."""
    x, y = np.meshgrid(np.arange(size[0]) // 4 * 4, np.arange(size[1]) // 4 * 4)
    pixels = np.stack([(x * seed) % 256, (y * 3) % 256, ((x + y) * 7 * seed) % 256], axis=-1)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(out, fmt)
    return out.getvalue()


def png_bomb() -> bytes:
    """A PNG header claiming 10 gigapixels over a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
        for tag, data in ((b"IHDR", ihdr), (b"IDAT", zlib.compress(b"\x00" * 4096)),
                          (b"IEND", b"")))  # fmt: skip


HOSTILE = {
    "bomb": (png_bomb(), "too_many_pixels"),
    "truncated": (poster((300, 200))[:700], "undecodable"),
    "svg-as-png": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                   b'onload="alert(1)"><rect width="10" height="10"/></svg>', "markup"),
}  # fmt: skip


def image_item(domain: str, body: bytes, name: str = "poster.jpg") -> ImageItem:
    url = f"http://cdn.{domain}/img/{name}"
    return ImageItem(
        url=url, domain=domain, page_url=f"http://{domain}/film/1", role="poster",
        content_type="image/jpeg", sha256=hashlib.sha256(body).hexdigest(), body=body,
        fetched_at=WHEN,
        capture={"request_method": "GET", "request_headers": [["Referer", f"http://{domain}/"]],
                 "response_headers": [["Content-Type", "image/jpeg"]], "protocol": "HTTP/1.1",
                 "ip_address": "127.0.0.1", "status": 200, "redirect_chain": []},
    )  # fmt: skip


MATCH = ImageMatch(reference_id=7, work="The Last Orchard", kind="poster", catalog="default",
                   source="upload:ana", distance=4, dhash_distance=6, score=0.9,
                   evidence="copy of the poster of 'The Last Orchard' (catalog default, ...)")


class Writer:
    def __init__(self, tmp: Path, url: str) -> None:
        self.url = url
        self.registry = Registry.open(self.url)
        self.evidence_dir = tmp / "evidence"
        self.store = WarcStore(self.evidence_dir, 10_000_000, "I-SOP tests")
        self.stats: Counter[str] = Counter()
        self.reference_png = poster((200, 300), "PNG", seed=3)

        def count(key: str, value: int) -> None:
            self.stats[key] += value

        self.anchor = HeadLog(self.evidence_dir / LOG_NAME)
        self.writer = ImageEvidenceWriter(
            self.registry._engine, self.registry, self.store,
            lambda ref: self.reference_png if ref == 7 else None, count, self.anchor)  # fmt: skip

    def site(self, domain: str) -> int:
        view = self.registry.record_page_verdict(
            domain=domain, url=f"http://{domain}/", score=0.9, infringing=True, kind="index",
            explanation="torrent index", signals=[], content_sha256="1" * 64, seen_at=WHEN)
        assert view is not None
        return view.id

    def rows(self) -> list[ImageEvidence]:
        with Session(self.registry._engine) as session:
            return list(session.scalars(select(ImageEvidence).order_by(ImageEvidence.id)))


@pytest.fixture
def kept(tmp_path: Path, registry_url: str) -> Iterator[Writer]:
    """The writer on an empty registry: SQLite, then PostgreSQL."""
    writer = Writer(tmp_path, registry_url)
    try:
        yield writer
    finally:
        writer.store.close()
        writer.anchor.close()
        writer.registry.close()


def test_a_match_keeps_the_pair_the_reference_id_and_the_bytes_in_the_chain(kept: Writer) -> None:
    site_id = kept.site("pirate.example")
    body = poster()
    item = image_item("pirate.example", body)
    row = kept.writer.record(item, MATCH)
    assert row is not None and row.site_id == site_id and row.reference_id == 7
    assert (row.work, row.distance, row.hash_name) == ("The Last Orchard", 4, "phash")
    # the thumbnail is ours: decodable, at most 320 px, PNG or JPEG, not the pirate's bytes
    assert row.thumbnail is not None and row.thumbnail != body
    with Image.open(io.BytesIO(row.thumbnail)) as thumb:
        assert thumb.format in ("PNG", "JPEG") and max(thumb.size) <= 320
        assert row.thumbnail_type == f"image/{str(thumb.format).lower()}"
    assert row.thumbnail_sha256 == hashlib.sha256(row.thumbnail).hexdigest()
    assert row.reference_thumbnail == kept.reference_png
    assert row.reference_thumbnail_type == "image/png"
    # linked to the site's registry evidence, whose signal names the reference by id
    with Session(kept.registry._engine) as session:
        evidence = session.get(Evidence, row.evidence_id)
        assert evidence is not None and evidence.site_id == site_id
        assert evidence.signals[0]["reference"] == 7
    # the bytes as fetched, in a WARC response record on the verified chain
    capture = next(c for c in chain.rows(kept.registry._engine) if c.id == row.capture_id)
    assert capture.payload_sha256 == item.sha256 and capture.url == item.url
    records = gzip.decompress(read_range(kept.evidence_dir / capture.warc_file,
                                         capture.warc_offset, capture.warc_length))
    assert body in records and b"http://pirate.example/film/1" in records  # shown on
    assert chain.verify(kept.registry._engine, kept.evidence_dir).ok
    anchored = read_log(kept.evidence_dir / LOG_NAME)  # its head went to the chain-head log
    assert capture.seq is not None
    assert anchored.anchors[capture.seq].head.hash == capture.record_hash
    # the same image again is no new evidence
    assert kept.writer.record(image_item("pirate.example", body), MATCH) is None
    assert kept.stats["evidence/kept"] == 1 and kept.stats["evidence/duplicate"] == 1


def test_hostile_bytes_give_a_counted_error_and_no_thumbnail(kept: Writer) -> None:
    kept.site("pirate.example")
    for name, (body, kind) in HOSTILE.items():
        row = kept.writer.record(image_item("pirate.example", body, name), MATCH)
        assert row is not None and row.thumbnail is None and row.thumbnail_type is None, name
        assert row.thumbnail_error, name
        assert kept.stats[f"thumbnail_errors/{kind}"] == 1, name
        # the match itself is kept: the bytes as fetched are in the chain all the same
        assert row.capture_id is not None, name
    assert kept.stats["evidence/kept"] == len(HOSTILE)
    assert sum(v for k, v in kept.stats.items() if k.startswith("thumbnail_errors/")) == 3
    assert chain.verify(kept.registry._engine, kept.evidence_dir).ok


def test_a_match_without_a_site_is_kept_pending_then_attached(kept: Writer) -> None:
    row = kept.writer.record(image_item("early.example", poster(seed=2)), MATCH)
    assert row is not None and row.site_id is None and row.evidence_id is None
    assert row.capture_id is not None and row.thumbnail is not None  # nothing lost
    assert kept.stats["evidence/pending"] == 1
    assert kept.writer.attach_pending() == 0  # still no site
    site_id = kept.site("early.example")
    assert kept.writer.attach_pending() == 1
    [attached] = kept.rows()
    assert attached.site_id == site_id and attached.attached_at is not None
    evidence = kept.registry.evidence(site_id)
    assert [e.id for e in evidence if e.url == attached.image_url] == [attached.evidence_id]
    assert kept.writer.attach_pending() == 0  # once


def test_a_registry_refusal_keeps_the_match_pending(kept: Writer) -> None:
    item = image_item("pirate.example", poster(seed=4))
    item.domain = "not a domain!"  # crawl data: the registry's validation refuses it
    row = kept.writer.record(item, MATCH)
    assert row is not None and row.site_id is None and row.capture_id is not None
    assert kept.stats["evidence/registry_errors/ValueError"] == 1
    assert kept.stats["evidence/pending"] == 1


def test_a_later_crawl_attaches_what_an_earlier_one_kept_pending(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Through the crawl's ImagePipeline: the config sample (the detector's canary) shown
    by a domain no site owns is kept pending; the site appears; the next crawl that sees
    images attaches it when it closes."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from crawler.config import load_config
    from crawler.images.pipeline import ImagePipeline
    from detectors.image.detector import SAMPLE
    from detectors.pipeline import DetectionPipeline
    from spiders.discovery import DiscoverySpider

    monkeypatch.setenv("ISOP_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    config = load_config(environ={}).with_overrides(database={"url": url})
    config = config.model_copy(update={"data_dir": tmp_path})

    detection: list[DetectionPipeline] = []  # built once: two crawls, one detector stack

    def crawl(body: bytes) -> dict[str, int]:
        crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
        crawler.stats.open_spider()
        if not detection:
            detection.append(ImagePipeline.from_crawler(crawler).detection)
        pipeline = ImagePipeline(crawler, detection[0], url, linking=False)
        item = image_item("early.example", body)
        asyncio.run(pipeline.process_item(item))
        pipeline.close_spider()
        return {k.removeprefix("isop/images/"): v for k, v in crawler.stats.get_stats().items()
                if k.startswith("isop/images/")}  # fmt: skip

    first = crawl(SAMPLE.read_bytes())
    assert first["matched/poster"] == 1 and first["evidence/pending"] == 1
    assert first["match_without_site"] == 1
    with Registry.open(url) as registry:
        site = registry.record_page_verdict(
            domain="early.example", url="http://early.example/", score=0.9, infringing=True,
            kind="streaming", explanation="player", signals=[], content_sha256="2" * 64,
            seen_at=WHEN)  # fmt: skip
        assert site is not None
        second = crawl(poster(seed=5))  # no match: only looks at pending ones when closing
        assert "matched/poster" not in second and second["evidence/attached"] == 1
        with Session(registry._engine) as session:
            [row] = session.scalars(select(ImageEvidence)).all()
        assert row.site_id == site.id and row.reference_id is not None and row.reference_id < 0
        assert row.thumbnail is not None and row.reference_thumbnail is None  # a sample
        assert row.capture_id is not None and chain.verify(registry._engine,
                                                           tmp_path / "evidence").ok  # fmt: skip
