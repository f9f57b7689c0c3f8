"""The evidence hash chain: appending a capture row, and verifying rows and WARC bytes.

``record_hash`` = SHA-256 of the canonical JSON of every field of the row but its id, the
previous row's hash included.  Appends are serialised (SQLite: the write transaction;
PostgreSQL: an advisory lock) so ids follow chain order; ``prev_hash`` being unique makes a
fork impossible even if that lock were skipped.

What verification can't see: removing the newest rows (nothing follows them to break).
``verify`` prints the head hash so it can be written down or sent elsewhere; a later head
that doesn't descend from it shows the truncation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from crawler.evidence.models import GENESIS, EvidenceCapture
from crawler.evidence.warc import read_range
from crawler.registry.db import write_engine

_PG_CHAIN_LOCK = 0x69736F70_65766964 & 0x7FFFFFFFFFFFFFFF  # "isopevid"
HASHED_FIELDS = (
    "domain", "url", "fetched_at", "crawler", "http_status", "content_type", "ip_address",
    "redirect_chain", "score", "kind", "explanation", "signals", "payload_sha256",
    "warc_file", "warc_offset", "warc_length", "warc_sha256", "prev_hash",
)  # fmt: skip


def canonical(value: Any) -> Any:
    """``value`` as the JSON column will give it back (tuples become lists, odd types str)."""
    return json.loads(json.dumps(value, default=str, allow_nan=False))


def record_hash(fields: dict[str, Any]) -> str:
    data = {name: fields[name] for name in HASHED_FIELDS}
    data["fetched_at"] = data["fetched_at"].astimezone(UTC).isoformat()
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def _fields(row: EvidenceCapture) -> dict[str, Any]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


def append(engine: Engine, fields: dict[str, Any]) -> EvidenceCapture:
    """Add one capture row at the head of the chain, committed; returns it."""
    fields = {**fields, "redirect_chain": canonical(fields["redirect_chain"]),
              "signals": canonical(fields["signals"])}  # fmt: skip
    with Session(write_engine(engine), expire_on_commit=False) as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
        last = session.scalar(
            select(EvidenceCapture.record_hash).order_by(EvidenceCapture.id.desc()).limit(1)
        )
        fields["prev_hash"] = last or GENESIS
        row = EvidenceCapture(**fields, record_hash=record_hash(fields))
        session.add(row)
    return row


@dataclass
class Report:
    """What ``verify`` found: the first broken link is ``problems[0]``."""

    checked: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    def add(self, problem: str) -> None:
        self.total_problems += 1
        if len(self.problems) < 20:
            self.problems.append(problem)


def rows(engine: Engine, batch: int = 500) -> Iterator[EvidenceCapture]:
    """Every capture in chain order, streamed."""
    with Session(engine) as session:
        result = session.execute(
            select(EvidenceCapture).order_by(EvidenceCapture.id).execution_options(yield_per=batch)
        )
        for row in result.scalars():
            yield row
            session.expunge(row)


def check_row(row: EvidenceCapture, expected_prev: str, evidence_dir: Path) -> list[str]:
    """The problems of one row: chain link, own hash, WARC bytes."""
    where = f"record {row.id} ({row.url[:120]})"
    found = []
    if row.prev_hash != expected_prev:
        found.append(
            f"{where}: chain broken: its prev_hash is not the previous record's hash "
            "(a record before it was deleted, inserted or edited)"
        )
    if record_hash(_fields(row)) != row.record_hash:
        found.append(f"{where}: row edited: its fields no longer match its record hash")
    path = evidence_dir / Path(row.warc_file).name
    try:
        data = read_range(path, row.warc_offset, row.warc_length)
    except OSError as exc:
        found.append(f"{where}: WARC {path.name} unreadable ({exc.strerror or exc})")
    else:
        if hashlib.sha256(data).hexdigest() != row.warc_sha256:
            end = row.warc_offset + row.warc_length
            found.append(
                f"{where}: WARC {path.name} bytes {row.warc_offset}-{end} changed "
                "(SHA-256 mismatch)"
            )
    return found


def verify(engine: Engine, evidence_dir: Path) -> Report:
    """Walk the whole chain; every problem counted, the first ones described."""
    report = Report()
    expected = GENESIS
    for row in rows(engine):
        report.checked += 1
        for problem in check_row(row, expected, evidence_dir):
            report.add(problem)
        expected = row.record_hash
    report.head = expected
    return report
