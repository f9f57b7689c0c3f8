"""Evidence commits are on disk before their head goes to the chain-head log (SQLite).

The registry runs SQLite in WAL mode with ``synchronous=NORMAL``: a commit is written to the
WAL but not synced, so a power loss (not a process crash) can take the last commits away.
For evidence that read as tampering: the chain-head log line written after the commit could
survive the rows it anchors, and ``isop evidence verify`` reported them missing.  So
evidence batches commit with ``synchronous=FULL`` (``write_engine(..., durable=True)``) and
every other write keeps ``NORMAL``.

What is checked is what the kernel is asked: the evidence writer runs under ``strace`` (a
Debian package, installed by ``.ci/run``) and the WAL file must be synced inside the
evidence commit, before the head's line is written, and not inside an ordinary registry
write (which would make every write pay for it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.pool import QueuePool

from crawler.registry.db import make_engine, write_engine

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import hashlib, os, sys
from datetime import UTC, datetime
from pathlib import Path
from crawler.alerts.db import open_engine
from crawler.evidence import chain
from crawler.evidence.anchor import LOG_NAME, HeadLog
from crawler.registry import Registry

folder = Path(sys.argv[1])
url = f"sqlite:///{folder / 'registry.db'}"
engine = open_engine(url)
registry = Registry.open(url)
log = HeadLog(folder / LOG_NAME)
now = datetime(2026, 11, 1, tzinfo=UTC)
digest = hashlib.sha256(b"page").hexdigest()
fields = {"domain": "pirate.to", "url": "http://pirate.to/", "fetched_at": now,
          "crawler": "test", "http_status": 200, "content_type": "text/html",
          "ip_address": "127.0.0.1", "redirect_chain": [], "score": 0.9, "kind": "index",
          "explanation": "x", "signals": [], "payload_sha256": digest,
          "warc_file": "none.warc.gz", "warc_offset": 0, "warc_length": 1,
          "warc_sha256": digest}

def mark(name):  # a syscall strace shows in order with the syncs
    try:
        os.stat(f"/nonexistent-isop-mark-{name}")
    except OSError:
        pass

for round in range(2):  # the second round reuses the pooled connections
    mark(f"registry-{round}")
    registry.record_page_verdict(domain="pirate.to", url=f"http://pirate.to/{round}",
        score=0.9, infringing=True, kind="index", explanation="x", signals=[],
        content_sha256=digest, seen_at=now)
    mark(f"evidence-{round}")
    chain.append(engine, fields, log)
    mark(f"end-{round}")
registry.close()
engine.dispose()
log.close()
"""


def _syncs_between_marks(trace: str, wal_fds: set[str]) -> dict[str, int]:
    """Marks in order, each with the number of WAL syncs until the next mark."""
    counts: dict[str, int] = {}
    current = None
    for line in trace.splitlines():
        mark = re.search(r"nonexistent-isop-mark-([\w-]+)", line)
        if mark:
            current = mark[1]
            counts[current] = 0
        elif current is not None and re.search(r"\b(fsync|fdatasync)\((\d+)", line):
            fd = re.search(r"\b(?:fsync|fdatasync)\((\d+)", line)
            if fd is not None and fd[1] in wal_fds:
                counts[current] += 1
    return counts


def test_evidence_commits_sync_the_wal_and_other_writes_do_not(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    assert strace is not None, "strace is installed by .ci/run"
    script = tmp_path / "writer.py"
    script.write_text(SCRIPT)
    out = tmp_path / "trace.txt"
    done = subprocess.run(
        [strace, "-f", "-o", str(out), "-e", "trace=openat,fsync,fdatasync,newfstatat,stat,write",
         sys.executable, str(script), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    trace = out.read_text()
    wal_fds = set(re.findall(r"openat\(.*registry\.db-wal\".*\) = (\d+)", trace))
    assert wal_fds, "the WAL file was opened"
    counts = _syncs_between_marks(trace, wal_fds)
    for round in range(2):
        assert counts[f"registry-{round}"] == 0  # NORMAL: no sync per ordinary commit
        assert counts[f"evidence-{round}"] >= 1  # FULL: the evidence commit is on disk
    # ... before the head's line is written: the sync precedes the write to the log.
    after = trace.split("nonexistent-isop-mark-evidence-1", 1)[1]
    wal = "|".join(sorted(wal_fds))
    sync_at = re.search(rf"\b(?:fsync|fdatasync)\((?:{wal})\)", after)
    log_fd = re.search(r"openat\(.*chain-heads\.log\".*\) = (\d+)", trace)
    assert sync_at is not None and log_fd is not None
    line_at = re.search(rf"\bwrite\({log_fd[1]}, \"2 [0-9a-f]{{8}}", after)  # head 2's line
    assert line_at is not None and sync_at.start() < line_at.start()


def test_a_durable_transaction_leaves_its_pooled_connection_at_normal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    seen: list[int] = []

    @event.listens_for(engine, "commit")
    def level(conn: object) -> None:
        seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar())  # type: ignore[attr-defined]

    try:
        for durable in (False, True, False, True, True, False):
            with write_engine(engine, durable=durable).begin() as conn:
                conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        assert seen == [1, 2, 1, 2, 2, 1]  # NORMAL is 1, FULL is 2
        pool = engine.pool
        assert isinstance(pool, QueuePool) and pool.checkedin() == 1  # one connection, reused
    finally:
        engine.dispose()
