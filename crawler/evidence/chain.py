"""The evidence hash chain: appending capture rows, and verifying rows and WARC bytes.

``record_hash`` = SHA-256 of the canonical JSON of every field of the row but its id (and
``seq``), the previous row's hash included.  Appends are serialised (SQLite: the write
transaction; PostgreSQL: an advisory lock) so sequence numbers follow chain order;
``prev_hash`` being unique makes a fork impossible even if that lock were skipped.
``append_many`` adds a batch in one transaction: one lock, one commit for all its rows.

What the rows alone can't show is the removal of the newest ones (nothing follows them to
break): ``verify`` also checks the chain against the heads of the chain-head log
(:mod:`crawler.evidence.anchor`) and against heads the investigator kept (``expect``), and
names the first missing sequence number.  WARC bytes no row points at are reported as
orphans (a crash between the WARC sync and the commit leaves them): a note, not tampering.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from crawler.evidence.anchor import LOG_NAME, Anchor, Head, HeadLog, read_log
from crawler.evidence.models import GENESIS, EvidenceCapture
from crawler.evidence.orphans import Ranges, find_orphans
from crawler.evidence.warc import read_range
from crawler.registry.db import write_engine

logger = logging.getLogger(__name__)
_PG_CHAIN_LOCK = 0x69736F70_65766964 & 0x7FFFFFFFFFFFFFFF  # "isopevid"
# Chain order is sequence order (ids follow it on SQLite, and on PostgreSQL too as far as
# the driver's multi-row INSERT goes; seq is what the chain lock hands out, so it decides).
_CHAIN_ORDER = (EvidenceCapture.seq.asc().nulls_first(), EvidenceCapture.id)
_NEWEST = (EvidenceCapture.seq.desc().nulls_last(), EvidenceCapture.id.desc())
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


def append(
    engine: Engine, fields: dict[str, Any], anchor: HeadLog | None = None
) -> EvidenceCapture:
    """Add one capture row at the head of the chain, committed; returns it.  With
    ``anchor``, the new head is then written to that chain-head log."""
    return append_many(engine, [fields], anchor)[0]


def append_many(
    engine: Engine, batch: Sequence[dict[str, Any]], anchor: HeadLog | None = None
) -> list[EvidenceCapture]:
    """Add capture rows at the head of the chain in one transaction, in order; returns them.

    The caller syncs their WARC bytes first; the new head goes to the chain-head log after
    the commit (``anchor``, or the caller with ``head_of``): then no row points at unsynced
    bytes and the log is never ahead.  A log that can't be written is logged, not raised:
    the rows are committed, only their anchoring is late.
    """
    made = _insert(engine, batch)
    head = head_of(made)
    if anchor is not None and head is not None:
        try:
            anchor.write(head)
        except OSError as exc:
            logger.error("Chain-head log %s not written (%s): head %s not anchored",
                         anchor.path, exc.strerror or exc, head)  # fmt: skip
    return made


def _insert(engine: Engine, batch: Sequence[dict[str, Any]]) -> list[EvidenceCapture]:
    if not batch:
        return []
    prepared = [{**fields, "redirect_chain": canonical(fields["redirect_chain"]),
                 "signals": canonical(fields["signals"])} for fields in batch]  # fmt: skip
    # Durable commit (SQLite synchronous=FULL): the head goes to the log after this returns.
    with Session(write_engine(engine, durable=True), expire_on_commit=False) as session, \
            session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
        last = session.execute(
            select(EvidenceCapture.record_hash, EvidenceCapture.seq).order_by(*_NEWEST).limit(1)
        ).first()
        prev, seq = (last[0], last[1]) if last is not None else (GENESIS, 0)
        if seq is None:  # a row from outside this module: count the chain instead
            seq = session.scalar(select(func.count()).select_from(EvidenceCapture)) or 0
        made = []
        for fields in prepared:
            fields["prev_hash"] = prev
            seq += 1
            row = EvidenceCapture(**fields, record_hash=record_hash(fields), seq=seq)
            made.append(row)
            prev = row.record_hash
        session.add_all(made)
    return made


def head_of(made: Sequence[EvidenceCapture]) -> Head | None:
    """The head after a batch ``append_many`` returned (None for an empty batch)."""
    if not made or made[-1].seq is None:
        return None
    return Head(made[-1].seq, made[-1].record_hash)


def current_head(engine: Engine) -> Head | None:
    """The newest row's ``SEQ:HASH`` as the database has it (None: no evidence yet)."""
    with Session(engine) as session:
        last = session.execute(
            select(EvidenceCapture.seq, EvidenceCapture.record_hash).order_by(*_NEWEST).limit(1)
        ).first()
    return Head(last[0] or 0, last[1]) if last is not None else None


@dataclass
class Report:
    """What ``verify`` found: the first broken link is ``problems[0]``; ``notes`` are facts
    that are not tampering (orphan WARC bytes, rows not anchored yet, an unsigned log)."""

    checked: int = 0
    head: str = GENESIS
    head_seq: int = 0
    problems: list[str] = field(default_factory=list)
    total_problems: int = 0
    notes: list[str] = field(default_factory=list)
    anchored: Anchor | None = None  # the chain-head log's newest head
    reaches_anchor: bool | None = None  # None: no anchor to reach
    first_missing: int | None = None  # the first sequence number anchored but gone
    orphans: int = 0  # captures in WARC files that no row points at

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    @property
    def head_ref(self) -> str:
        """``SEQ:HASH``, what to keep elsewhere and pass to ``--expect-head`` later."""
        return f"{self.head_seq}:{self.head}"

    def add(self, problem: str) -> None:
        self.total_problems += 1
        if len(self.problems) < 20:
            self.problems.append(problem)

    def missing(self, upto: int, why: str) -> None:
        first = self.head_seq + 1
        self.first_missing = first if self.first_missing is None else self.first_missing
        span = f"record seq {first}" if first == upto else f"records seq {first}-{upto}"
        self.add(f"{span} missing: the chain ends at seq {self.head_seq}, but {why} "
                 "(the newest records were removed)")  # fmt: skip


def rows(engine: Engine, batch: int = 500) -> Iterator[EvidenceCapture]:
    """Every capture in chain order, streamed."""
    with Session(engine) as session:
        result = session.execute(
            select(EvidenceCapture).order_by(*_CHAIN_ORDER).execution_options(yield_per=batch)
        )
        for row in result.scalars():
            yield row
            session.expunge(row)


def check_row(
    row: EvidenceCapture, expected_prev: str, evidence_dir: Path, expected_seq: int | None = None
) -> list[str]:
    """The problems of one row: chain link (and sequence number), own hash, WARC bytes."""
    where = f"record {row.id} ({row.url[:120]})"
    found = []
    gap = ""
    if expected_seq is not None and row.seq != expected_seq:
        if row.seq is None or row.seq <= expected_seq:
            gap = f"; seq {row.seq}, expected {expected_seq}"
        elif row.seq == expected_seq + 1:
            gap = f"; seq {expected_seq} missing"
        else:
            gap = f"; seq {expected_seq}-{row.seq - 1} missing"
    if row.prev_hash != expected_prev:
        found.append(
            f"{where}: chain broken: its prev_hash is not the previous record's hash "
            f"(a record before it was deleted, inserted or edited{gap})"
        )
    elif gap:
        found.append(f"{where}: sequence number edited{gap}")
    if record_hash(_fields(row)) != row.record_hash:
        found.append(f"{where}: row edited: its fields no longer match its record hash")
    path = evidence_dir / Path(row.warc_file).name
    try:
        data = read_range(path, row.warc_offset, row.warc_length)
    except OSError as exc:
        found.append(f"{where}: WARC {path.name} unreadable ({exc.strerror or exc})")
    else:
        end = row.warc_offset + row.warc_length
        if len(data) < row.warc_length:
            found.append(
                f"{where}: WARC {path.name} truncated: it ends at byte "
                f"{row.warc_offset + len(data)}, inside this record's bytes {row.warc_offset}-{end}"
            )
        elif hashlib.sha256(data).hexdigest() != row.warc_sha256:
            found.append(
                f"{where}: WARC {path.name} bytes {row.warc_offset}-{end} changed "
                "(SHA-256 mismatch)"
            )
    return found


def verify(
    engine: Engine, evidence_dir: Path, expect: Sequence[Head] = (), key: str = ""
) -> Report:
    """Walk the whole chain: rows, WARC bytes, the chain-head log's heads (MACs checked with
    ``key`` when given) and the ``expect``-ed heads; every problem counted, the first ones
    described; orphan WARC bytes noted."""
    report = Report()
    log = read_log(evidence_dir / LOG_NAME, key)
    for problem in log.problems:
        report.add(problem)
    for first, later in log.conflicts:
        report.add(
            f"{LOG_NAME} lines {first.line} and {later.line} anchor different hashes at seq "
            f"{first.head.seq}: the chain was cut back and rewritten in between"
        )
    report.notes.extend(log.notes)
    wanted = {head.seq: head for head in expect}
    ranges = Ranges()
    expected, seq, last_mismatch = GENESIS, 0, False
    for row in rows(engine):
        report.checked += 1
        found = check_row(row, expected, evidence_dir, seq + 1)
        at = row.seq if row.seq is not None else seq + 1
        anchor = log.anchors.get(at)
        if anchor is not None and anchor.head.hash != row.record_hash:
            last_mismatch = last_mismatch or anchor is log.last
            found.append(
                f"record {row.id} ({row.url[:120]}): not the head anchored at seq {at} "
                f"({anchor.where()}): the chain up to it was altered or rewritten"
            )
        if at in wanted and wanted[at].hash != row.record_hash:
            found.append(f"record {row.id} ({row.url[:120]}): not the expected head "
                         f"{wanted[at]}: the chain up to it was altered or rewritten, or that "
                         "head is not from this chain")  # fmt: skip
        for problem in found:
            report.add(problem)
        ranges.add(row.warc_file, row.warc_offset, row.warc_length)
        expected, seq = row.record_hash, at
    report.head, report.head_seq = expected, seq
    report.anchored = log.last
    if log.last is not None:
        report.reaches_anchor = log.last.head.seq <= seq and not last_mismatch
        if log.last.head.seq > seq:
            report.missing(log.last.head.seq, f"{log.last.where()} anchored head {log.last.head}")
        elif seq > log.last.head.seq:
            report.notes.append(f"{seq - log.last.head.seq} newest record(s) after the last "
                                "anchored head (not anchored yet)")  # fmt: skip
    elif report.checked:
        report.notes.append(f"{LOG_NAME}: {'empty' if log.exists else 'absent'}: no head "
                            "anchored, the removal of the newest records can't be seen "
                            "(only a head kept elsewhere, --expect-head, can show it)")  # fmt: skip
    for head in sorted(expect, key=lambda h: h.seq):
        if head.seq > seq:
            report.missing(head.seq, f"the expected head is {head}")
            break
    report.orphans, orphan_notes = find_orphans(evidence_dir, ranges)
    report.notes.extend(orphan_notes)
    return report
