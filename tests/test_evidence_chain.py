"""Evidence capture: WARC records and a hash chain on disk and in the registry; tampering found."""

from __future__ import annotations

import asyncio
import gzip
import io
import itertools
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from crawler.alerts.db import open_engine
from crawler.evidence import chain
from crawler.evidence.models import GENESIS, EvidenceCapture
from crawler.evidence.warc import WarcStore
from crawler.items import PageItem
from crawler.pipelines.evidence import EvidencePipeline
from detectors.base import Signal, Verdict

IDENTITY = "Test unit; isop-crawler; host test; user-agent UA"


def page(i: int, domain: str = "pirate.to", body: bytes | None = None, **kw: Any) -> PageItem:
    verdict = Verdict(
        score=0.91, infringing=True, kind="index",
        signals=(Signal("heuristic", "magnet_links", 0.8, f"{i} magnet links <b>"),),
        explanation="many magnet links",
    )  # fmt: skip
    item = PageItem(
        url=f"http://www.{domain}/page/{i}?q=<x>", domain=domain, status=200,
        content_type="text/html; charset=utf-8", kind="html",
        body=body if body is not None else f"<html>page {i} magnet:?xt=urn</html>".encode(),
        fetched_at=datetime(2026, 11, 23, 12, 0, i % 60, tzinfo=UTC),
        redirect_chain=[f"http://old-{domain}/page/{i}"], verdict=verdict, **kw,
    )  # fmt: skip
    item.capture = {
        "request_method": "GET",
        "request_headers": [["User-Agent", "UA"], ["Accept", "*/*"]],
        "response_headers": [["Content-Type", "text/html; charset=utf-8"], ["Server", "nginx"]],
        "protocol": "HTTP/1.1",
        "ip_address": "127.0.0.1",
    }
    return item


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    yield engine
    engine.dispose()


def pipeline(engine: Engine, directory: Path, max_bytes: int = 10_000_000) -> EvidencePipeline:
    return EvidencePipeline(engine, WarcStore(directory, max_bytes, IDENTITY), Stats())


def captures(engine: Engine) -> list[EvidenceCapture]:
    with Session(engine) as session:
        return list(session.scalars(select(EvidenceCapture).order_by(EvidenceCapture.id)))


def test_capture_writes_request_response_metadata_and_a_chained_row(
    engine: Engine, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    pipe = pipeline(engine, evidence)
    for i in range(3):
        pipe.capture(page(i))
    pipe.close_spider()
    rows = captures(engine)
    assert [r.prev_hash for r in rows] == [GENESIS, rows[0].record_hash, rows[1].record_hash]
    row = rows[1]
    assert (row.ip_address, row.redirect_chain, row.crawler) == (
        "127.0.0.1", ["http://old-pirate.to/page/1"], IDENTITY,
    )  # fmt: skip
    assert row.signals[0]["evidence"] == "1 magnet links <b>"
    files = sorted(evidence.glob("*.warc.gz"))
    assert len(files) == 1 and files[0].name.endswith(".warc.gz")
    data = files[0].read_bytes()[row.warc_offset : row.warc_offset + row.warc_length]
    records = [(r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(data))]
    assert [r.rec_type for r, _ in records] == ["response", "request", "metadata"]
    (response, body), (request, _), (_, meta) = records
    assert response.rec_headers.get_header("WARC-Target-URI") == row.url
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.http_headers.get_header("Server") == "nginx"
    assert body == b"<html>page 1 magnet:?xt=urn</html>"
    assert request.http_headers.protocol == "GET"  # warcio: the method of a request line
    assert request.http_headers.get_header("Host") == "www.pirate.to"
    assert b'"magnet_links"' in meta
    report = chain.verify(engine, evidence)
    assert report.ok and report.checked == 3 and report.head == rows[2].record_hash


def test_files_rotate_by_size_and_stay_valid_warcs(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    pipe = pipeline(engine, evidence, max_bytes=20_000)
    for i in range(6):  # ~10 KB that gzip can't shrink
        pipe.capture(page(i, body=random.Random(i).randbytes(10_000)))
    pipe.close_spider()
    files = sorted(evidence.glob("*.warc.gz"))
    assert len(files) >= 3
    for path in files:
        assert path.stat().st_size <= 20_000 + 12_000  # at most one capture past the limit
        with gzip.open(path) as handle:
            handle.read()  # every file is whole gzip members
    assert chain.verify(engine, evidence).ok


def test_flipped_byte_in_a_warc_is_named(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    pipe = pipeline(engine, evidence)
    for i in range(4):
        pipe.capture(page(i))
    pipe.close_spider()
    target = captures(engine)[2]
    path = evidence / target.warc_file
    data = bytearray(path.read_bytes())
    data[target.warc_offset + target.warc_length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = chain.verify(engine, evidence)
    assert not report.ok and report.total_problems == 1
    assert report.problems[0].startswith(f"record {target.id} ")
    assert "changed (SHA-256 mismatch)" in report.problems[0]


def test_edited_and_deleted_rows_are_named(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    pipe = pipeline(engine, evidence)
    for i in range(5):
        pipe.capture(page(i))
    pipe.close_spider()
    rows = captures(engine)
    with Session(engine) as session, session.begin():
        session.execute(update(EvidenceCapture).where(EvidenceCapture.id == rows[1].id)
                        .values(score=0.99))  # fmt: skip
    report = chain.verify(engine, evidence)
    assert report.problems == [
        f"record {rows[1].id} ({rows[1].url}): row edited: its fields no longer match its "
        "record hash"
    ]
    with Session(engine) as session, session.begin():
        session.execute(update(EvidenceCapture).where(EvidenceCapture.id == rows[1].id)
                        .values(score=rows[1].score))  # fmt: skip
        session.execute(delete(EvidenceCapture).where(EvidenceCapture.id == rows[3].id))
    report = chain.verify(engine, evidence)
    assert report.total_problems == 1
    assert report.problems[0].startswith(f"record {rows[4].id} ")
    assert "chain broken" in report.problems[0]


def test_concurrent_appends_make_one_chain(engine: Engine, tmp_path: Path) -> None:
    stores = [pipeline(engine, tmp_path / "evidence") for _ in range(4)]
    threads = [
        threading.Thread(target=lambda p=p, k=k: [p.capture(page(k * 10 + i)) for i in range(5)])
        for k, p in enumerate(stores)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for p in stores:
        p.close_spider()
    rows = captures(engine)
    assert len(rows) == 20
    assert len({r.prev_hash for r in rows}) == 20  # no fork
    assert chain.verify(engine, tmp_path / "evidence").ok


def test_pipeline_skips_clean_pages_and_counts_failures(engine: Engine, tmp_path: Path) -> None:
    asyncio.run(_skips_and_counts(engine, tmp_path))


async def _skips_and_counts(engine: Engine, tmp_path: Path) -> None:
    pipe = pipeline(engine, tmp_path / "evidence")
    clean = page(1)
    clean.verdict = Verdict(score=0.1, infringing=False, kind=None, signals=(), explanation="")
    assert await pipe.process_item(clean) is clean
    assert await pipe.process_item({"not": "a page"}) == {"not": "a page"}
    broken = page(2)
    broken.verdict = Verdict(score=0.9, infringing=True, kind="index",
                             signals=(Signal("x", "y", 0.9, "z"),), explanation="e")  # fmt: skip
    broken.fetched_at = datetime(2026, 1, 1)  # naive: the registry refuses it
    assert await pipe.process_item(broken) is broken
    assert await pipe.process_item(page(3)) is not None
    pipe.close_spider()
    assert pipe.stats.values == {"isop/evidence_errors/ValueError": 1, "isop/evidence/captured": 1}
    assert len(captures(engine)) == 1


def test_concurrent_appends_make_one_chain_on_postgresql(postgres: Any, tmp_path: Path) -> None:
    engine = open_engine(postgres.create_database())
    try:
        stores = [pipeline(engine, tmp_path / "evidence") for _ in range(4)]
        threads = [
            threading.Thread(
                target=lambda p=p, k=k: [p.capture(page(k * 10 + i)) for i in range(5)]
            )
            for k, p in enumerate(stores)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for p in stores:
            p.close_spider()
        rows = captures(engine)
        assert len(rows) == 20 and rows[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.record_hash for a, b in itertools.pairwise(rows))
        assert chain.verify(engine, tmp_path / "evidence").ok
    finally:
        engine.dispose()
