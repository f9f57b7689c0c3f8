"""The chain-head log and kept heads: removing the newest evidence is seen, with or without
its WARC bytes; forged heads are refused; a crash between WARC sync and commit is an orphan,
not tampering; batched writers from several threads make one chain."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from test_evidence_chain import IDENTITY, Stats, captures, page

from crawler.alerts.db import open_engine
from crawler.evidence import chain
from crawler.evidence.anchor import LOG_NAME, Head, HeadLog, parse_head, read_log
from crawler.evidence.models import GENESIS, EvidenceCapture
from crawler.evidence.warc import WarcStore
from crawler.pipelines.evidence import EvidencePipeline

KEY = "test anchor key"
ROOT = Path(__file__).resolve().parent.parent


def pipeline(engine: Engine, evidence: Path, key: str = KEY, batch: int = 100) -> EvidencePipeline:
    store = WarcStore(evidence, 10_000_000, IDENTITY)
    return EvidencePipeline(engine, store, Stats(), batch, 0.01,
                            HeadLog(evidence / LOG_NAME, key))  # fmt: skip


def fill(engine: Engine, evidence: Path, count: int, start: int = 0) -> list[EvidenceCapture]:
    pipe = pipeline(engine, evidence)
    for i in range(start, start + count):
        pipe.capture(page(i))  # one batch each: one anchored head each
    pipe.close_spider()
    return captures(engine)


def drop_rows_from(engine: Engine, first_id: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(EvidenceCapture).where(EvidenceCapture.id >= first_id))


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    engine = open_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    yield engine
    engine.dispose()


def test_intact_chain_reaches_its_anchored_head(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 4)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    log = read_log(evidence / LOG_NAME, KEY)
    assert sorted(log.anchors) == [1, 2, 3, 4] and not log.problems
    report = chain.verify(engine, evidence, key=KEY)
    assert report.ok and report.reaches_anchor and report.notes == []
    assert report.head_ref == f"4:{rows[-1].record_hash}"
    assert chain.current_head(engine) == Head(4, rows[-1].record_hash)
    # another writer (image evidence) appending alone anchors its head the same way
    fields = {c: getattr(rows[-1], c) for c in chain.HASHED_FIELDS if c != "prev_hash"}
    log = HeadLog(evidence / LOG_NAME, KEY)
    one = chain.append(engine, {**fields, "url": "http://img.to/x"}, log)
    log.close()
    assert read_log(evidence / LOG_NAME, KEY).last.head == Head(5, one.record_hash)  # type: ignore[union-attr]


@pytest.mark.parametrize("warcs", ["kept", "cut"])
def test_removed_newest_rows_name_the_first_missing_seq(
    engine: Engine, tmp_path: Path, warcs: str
) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 10)
    assert chain.verify(engine, evidence, key=KEY).ok
    drop_rows_from(engine, rows[7].id)  # the newest 3 rows
    if warcs == "cut":  # and their WARC bytes: the file ends where row 7's record ends
        path = evidence / rows[6].warc_file
        os.truncate(path, rows[6].warc_offset + rows[6].warc_length)
    report = chain.verify(engine, evidence, key=KEY)
    assert not report.ok and report.first_missing == 8 and report.reaches_anchor is False
    assert report.problems[0].startswith("records seq 8-10 missing: the chain ends at seq 7")
    assert f"anchored head 10:{rows[9].record_hash}" in report.problems[0]
    # the left-over WARC records are orphans (noted), the tampering is the missing tail
    assert report.orphans == (3 if warcs == "kept" else 0)


def test_tail_removed_with_the_log_is_caught_by_a_kept_head(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 6)
    kept = parse_head(chain.verify(engine, evidence).head_ref)  # e.g. in a case file
    drop_rows_from(engine, rows[4].id)
    (evidence / LOG_NAME).unlink()
    alone = chain.verify(engine, evidence)
    assert alone.ok and any("absent: no head anchored" in n for n in alone.notes)
    report = chain.verify(engine, evidence, expect=[kept])
    assert not report.ok and report.first_missing == 5
    assert report.problems == [
        f"records seq 5-6 missing: the chain ends at seq 4, but the expected head is {kept} "
        "(the newest records were removed)"
    ]


def test_a_rewritten_tail_contradicts_the_log_and_kept_heads(
    engine: Engine, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 5)
    kept = Head(5, rows[4].record_hash)
    drop_rows_from(engine, rows[3].id)
    fill(engine, evidence, 2, start=40)  # new rows 4 and 5, through the real writer
    report = chain.verify(engine, evidence, expect=[kept], key=KEY)
    assert not report.ok
    text = "\n".join(report.problems)
    assert "anchor different hashes at seq 4: the chain was cut back and rewritten" in text
    assert "not the head anchored at seq 4" in text
    assert f"not the expected head {kept}" in text


def test_forged_log_lines_are_refused(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 3)
    path = evidence / LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    forged = lines[1].replace(rows[1].record_hash, "f" * 64)
    unsigned = f"9 {'a' * 64} 2026-11-23T00:00:00.000000Z unsigned\n"
    other_key = HeadLog(tmp_path / "other.log", "another key")
    other_key.write(Head(2, rows[1].record_hash))
    other_key.close()
    path.write_text(lines[0] + forged + lines[2] + unsigned + (tmp_path / "other.log").read_text())
    report = chain.verify(engine, evidence, key=KEY)
    assert report.problems[:3] == [
        f"{LOG_NAME} line 2: head 2 forged or altered (MAC does not match)",
        f"{LOG_NAME} line 4: head 9 unsigned after signing began (forged, or written by a "
        "process without evidence.anchor_key)",
        f"{LOG_NAME} line 5: head 2 forged or altered (signed with another key)",
    ]
    assert report.anchored is not None and report.anchored.head.seq == 3  # forged 9 ignored
    # Without the key, signatures are not checked (and the note says so): the unsigned
    # head 9 then counts, and the chain doesn't reach it.
    unchecked = chain.verify(engine, evidence)
    assert unchecked.first_missing == 4
    assert any("signatures not checked" in note for note in unchecked.notes)


def test_truncated_newest_warc_and_torn_log_line(engine: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    rows = fill(engine, evidence, 3)
    last = rows[-1]
    os.truncate(evidence / last.warc_file, last.warc_offset + 10)
    with (evidence / LOG_NAME).open("a") as log:
        log.write("4 abc")  # a line torn by a crash
    report = chain.verify(engine, evidence, key=KEY)
    assert report.total_problems == 1
    assert report.problems[0] == (
        f"record {last.id} ({last.url}): WARC {last.warc_file} truncated: it ends at byte "
        f"{last.warc_offset + 10}, inside this record's bytes {last.warc_offset}-"
        f"{last.warc_offset + last.warc_length}"
    )
    assert any("1 malformed line(s) skipped" in n for n in report.notes)


def test_parse_head_refuses_what_is_not_a_head() -> None:
    assert parse_head(f" 12:{'AB' * 32} ") == Head(12, "ab" * 32)
    for text, needle in (("12", "expected SEQ:HASH"), (f"0:{'a' * 64}", "from 1"),
                         ("3:xyz", "64 hexadecimal"), (f"-1:{'a' * 64}", "expected")):  # fmt: skip
        with pytest.raises(ValueError, match=needle):
            parse_head(text)


CRASH = """
import os, sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from test_evidence_anchor import pipeline, page
from crawler.alerts.db import open_engine
from crawler.evidence import chain
pipe = pipeline(open_engine(sys.argv[1]), Path(sys.argv[2]))
for i in range(3):
    pipe.capture(page(i))
def crash(*args, **kwargs):
    os._exit(9)  # killed after the WARC sync, before the commit
chain.append_many = crash
pipe.write([pipe.prepare(page(i)) for i in (3, 4)])
"""


def test_crash_between_warc_sync_and_commit_leaves_orphans_not_tampering(
    engine: Engine, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    url = str(engine.url)
    done = subprocess.run([sys.executable, "-c", CRASH, url, str(evidence), str(ROOT / "tests")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 9, done.stderr[-2000:]
    report = chain.verify(engine, evidence, key=KEY)
    assert report.ok and report.checked == 3 and report.reaches_anchor
    assert report.orphans == 2
    assert report.notes[0].startswith("2 orphan capture(s): WARC records no row points at")
    rows = fill(engine, evidence, 2, start=10)  # the next run goes on from the same head
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert chain.verify(engine, evidence, key=KEY).ok


def _writers(engine: Engine, evidence: Path, writers: int = 4, each: int = 30) -> None:
    """Writers on threads of their own, each with its event loop and all its items in
    flight at once: batches from every writer interleave in the chain."""

    pipes = [pipeline(engine, evidence, batch=8) for _ in range(writers)]

    def run(k: int) -> None:
        async def all_items() -> None:
            items = (pipes[k].process_item(page(k * 100 + i)) for i in range(each))
            await asyncio.gather(*items)

        asyncio.run(all_items())

    threads = [threading.Thread(target=run, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for pipe in pipes:  # they share the engine: closed once every writer is done
        pipe.close_spider()
        assert pipe.stats.values == {"isop/evidence/captured": each}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_batched_writers_make_one_anchored_chain(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (f"sqlite:///{tmp_path / 'r.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres").create_database())  # fmt: skip
    engine = open_engine(url)
    evidence = tmp_path / "evidence"
    try:
        _writers(engine, evidence)
        rows = captures(engine)
        assert len(rows) == 120 and rows[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.record_hash for a, b in itertools.pairwise(rows))
        assert [r.seq for r in rows] == list(range(1, 121))
        log = read_log(evidence / LOG_NAME, KEY)
        assert log.last is not None and log.last.head == Head(120, rows[-1].record_hash)
        assert 4 * 30 / 8 <= len(log.anchors) < 120  # batches, not one line per capture
        by_seq = {r.seq: r.record_hash for r in rows}
        assert all(by_seq[seq] == a.head.hash for seq, a in log.anchors.items())
        report = chain.verify(engine, evidence, key=KEY)
        assert report.ok and report.reaches_anchor and report.orphans == 0
        with Session(engine) as session:  # every row's WARC bytes are where it says
            assert session.scalar(select(EvidenceCapture.warc_length).limit(1))
    finally:
        engine.dispose()


def test_migration_numbers_existing_rows_in_chain_order(tmp_path: Path) -> None:
    from crawler.registry.db import make_engine
    from crawler.registry.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0201")  # evidence_captures as it was, without seq
        columns = "id, domain, url, fetched_at, crawler, http_status, content_type, " \
                  "redirect_chain, score, explanation, signals, payload_sha256, warc_file, " \
                  "warc_offset, warc_length, warc_sha256, prev_hash, record_hash"  # fmt: skip
        with engine.begin() as conn:
            for n, row_id in enumerate((5, 7, 9)):  # ids with gaps, as PostgreSQL leaves them
                conn.exec_driver_sql(
                    f"INSERT INTO evidence_captures ({columns}) VALUES ({row_id}, 'a.to', 'u', "
                    f"'2026-01-01', 'c', 200, 't', '[]', 0.9, 'e', '[]', 'p', 'f', 0, 1, 'w', "
                    f"'{n}', 'h{n}')"
                )
        upgrade(engine)
        with engine.connect() as conn:
            got = conn.exec_driver_sql("SELECT id, seq FROM evidence_captures ORDER BY id").all()
        assert [tuple(r) for r in got] == [(5, 1), (7, 2), (9, 3)]
    finally:
        engine.dispose()


def test_a_row_the_database_refuses_costs_only_its_own_capture(
    engine: Engine, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    pipe = pipeline(engine, evidence, batch=5)
    items = [page(i) for i in range(5)]
    items[2].status = None  # type: ignore[assignment]  # NOT NULL: the batch is refused

    async def all_items() -> None:
        await asyncio.gather(*(pipe.process_item(item) for item in items))

    asyncio.run(all_items())
    pipe.close_spider()
    assert pipe.stats.values == {
        "isop/evidence/captured": 4,
        "isop/evidence/batch_retries": 1,
        "isop/evidence_errors/IntegrityError": 1,
    }
    rows = captures(engine)
    assert [r.url for r in rows] == [items[i].url for i in (0, 1, 3, 4)]
    report = chain.verify(engine, evidence, key=KEY)
    assert report.ok and report.reaches_anchor and report.orphans == 1


def test_orphan_scan_splits_members_and_stops_at_garbage_and_bombs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gzip

    from crawler.evidence import orphans

    def member(kind: str, size: int = 10) -> bytes:
        return gzip.compress(f"WARC/1.1\r\nWARC-Type: {kind}\r\n\r\n".encode() + b"x" * size)

    whole = member("response") + member("request") + member("metadata")
    assert orphans.members(whole) == ({"response": 1, "request": 1, "metadata": 1}, len(whole))
    torn = whole + member("response")[:-5]
    assert orphans.members(torn)[1] == len(whole)
    assert orphans.members(whole + b"\x00garbage")[1] == len(whole)
    bomb = member("response", 5_000_000)  # 5 MB of "x" in a few KB
    monkeypatch.setattr(orphans, "MAX_INFLATE", 1_000_000)
    assert orphans.members(whole + bomb) == (
        {"response": 1, "request": 1, "metadata": 1},
        len(whole),
    )


def test_a_batch_that_rotates_files_points_every_row_at_its_bytes(
    engine: Engine, tmp_path: Path
) -> None:
    import random

    evidence = tmp_path / "evidence"
    store = WarcStore(evidence, 20_000, IDENTITY)
    pipe = EvidencePipeline(engine, store, Stats(), anchor=HeadLog(evidence / LOG_NAME, KEY))
    batch = [pipe.prepare(page(i, body=random.Random(i).randbytes(8_000))) for i in range(7)]
    outcomes = pipe.write(batch)  # one batch across several files
    pipe.close_spider()
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert len({r.warc_file for r in captures(engine)}) >= 3
    report = chain.verify(engine, evidence, key=KEY)
    assert report.ok and report.checked == 7 and report.orphans == 0 and report.reaches_anchor
