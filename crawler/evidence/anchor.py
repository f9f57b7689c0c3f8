"""The chain-head log: heads of the evidence chain written outside the database.

The hash chain shows an edited, inserted or removed row by the break it leaves in the rows
after it; removing the *newest* rows leaves nothing after them to break.  So every batch
commit appends the new head, ``SEQ HASH TIME MAC``, to ``<evidence dir>/chain-heads.log``
(opened ``O_APPEND``: writers of every process add whole lines, none rewrites).  ``verify``
then checks that the chain still passes through every head the log recorded; a chain that
ends before the last one names its first missing sequence number.

MAC: HMAC-SHA256 with ``evidence.anchor_key`` when set (``unsigned`` otherwise), so that
someone who can write the log but has no key can't add a head matching a rewritten chain.
What it can't do: whoever holds the database, the log *and* the key can rewrite all three,
and anyone who can write the file can cut its last lines along with the rows.  Heads kept
elsewhere (a case file's manifest, an e-mail, a ticket) and checked with ``isop evidence
verify --expect-head SEQ:HASH`` are what an attacker can't reach.

A line is written after its rows are committed, and durably so (on SQLite the evidence
commit syncs the WAL: ``synchronous=FULL``, see :func:`crawler.registry.db.write_engine`): a
crash or a power loss in between leaves the log one batch behind (those rows are simply not
anchored yet), never ahead of the database.  Lines
are not fsynced (the next batch's line covers the same rows and more); lines from several
processes may come out of sequence order, which the reader does not mind.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "chain-heads.log"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_LINE = re.compile(
    r"(\d{1,18}) ([0-9a-f]{64}) (\S{1,40}) (unsigned|hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64})"
)
_MAX_LINE = 400  # longer lines are not ours: skipped unread


@dataclass(frozen=True)
class Head:
    """The chain's head at one point: the sequence number and hash of its newest row."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def parse_head(text: str) -> Head:
    """``SEQ:HASH`` as printed by ``isop evidence head``; ValueError says what is wrong."""
    seq, sep, digest = text.strip().partition(":")
    if not sep or not seq.isdigit() or int(seq) < 1:
        raise ValueError(f"{text!r}: expected SEQ:HASH, SEQ a sequence number from 1")
    if not _HEX64.fullmatch(digest.lower()):
        raise ValueError(f"{text!r}: HASH must be 64 hexadecimal digits (a SHA-256)")
    return Head(int(seq), digest.lower())


def key_id(key: str) -> str:
    """A short name of the key (not the key): says which key signed a line."""
    return hashlib.sha256(b"isop-anchor-key-id\0" + key.encode()).hexdigest()[:8]


def _mac(key: str, head: Head, when: str) -> str:
    message = f"isop-evidence-head v1 {head.seq} {head.hash} {when}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return f"hmac-sha256:{key_id(key)}:{digest}"


def format_line(head: Head, when: datetime, key: str = "") -> str:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{head.seq} {head.hash} {stamp} {_mac(key, head, stamp) if key else 'unsigned'}\n"


class HeadLog:
    """Appends heads to the log of one evidence directory (thread-safe, any process)."""

    def __init__(self, path: Path, key: str = "") -> None:
        self.path = path
        self.key = key
        self._fd: int | None = None
        self._lock = threading.Lock()

    def write(self, head: Head, when: datetime | None = None) -> None:
        line = format_line(head, when or datetime.now(UTC), self.key).encode()
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            os.write(self._fd, line)  # one write of one line: O_APPEND keeps lines whole

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


@dataclass(frozen=True)
class Anchor:
    """One line of the log: the head it recorded, when, and where in the file."""

    line: int
    head: Head
    at: str
    signed: bool

    def where(self) -> str:
        return f"{LOG_NAME} line {self.line}, {self.at}"


@dataclass
class LogReading:
    """The log as read: usable anchors by sequence number, and what was wrong with it."""

    exists: bool = False
    lines: int = 0
    anchors: dict[int, Anchor] = field(default_factory=dict)
    last: Anchor | None = None
    problems: list[str] = field(default_factory=list)  # forged-looking lines
    notes: list[str] = field(default_factory=list)  # harmless: a torn line, unsigned log
    conflicts: list[tuple[Anchor, Anchor]] = field(default_factory=list)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if len(raw) > _MAX_LINE:
                yield number, ""
            else:
                yield number, raw.decode("ascii", "replace").rstrip("\n")


def read_log(path: Path, key: str = "") -> LogReading:
    """Every line checked: well formed, signed with ``key`` when one is given.

    With a key, a line with a wrong MAC is a problem (forged, or another key: its key id
    says which), and so is an unsigned line after the first signed one (signing had begun:
    a process without the key, or a forger).  Unsigned lines before any signed one are
    noted (the key was set later).  Without a key, MACs are not checked (noted).
    """
    reading = LogReading(exists=path.exists())
    signing_began = False
    malformed = unsigned_early = 0
    try:
        for number, text in _lines(path) if reading.exists else ():  # streamed: logs grow
            reading.lines += 1
            match = _LINE.fullmatch(text)
            if match is None:
                malformed += 1
                continue
            head = Head(int(match[1]), match[2])
            mac = match[4]
            signed = mac != "unsigned"
            if key and signed:
                if not hmac.compare_digest(mac, _mac(key, head, match[3])):
                    other = mac.split(":")[1]
                    why = (
                        "signed with another key" if other != key_id(key) else "MAC does not match"
                    )
                    reading.problems.append(
                        f"{LOG_NAME} line {number}: head {head.seq} forged or altered ({why})"
                    )
                    continue
                signing_began = True
            elif key and not signed:
                if signing_began:
                    reading.problems.append(
                        f"{LOG_NAME} line {number}: head {head.seq} unsigned after signing began "
                        "(forged, or written by a process without evidence.anchor_key)"
                    )
                    continue
                unsigned_early += 1
            anchor = Anchor(number, head, match[3], signed and bool(key))
            known = reading.anchors.get(head.seq)
            if known is not None and known.head.hash != head.hash:
                reading.conflicts.append((known, anchor))
            reading.anchors.setdefault(head.seq, anchor)
            if reading.last is None or head.seq > reading.last.head.seq:
                reading.last = anchor
    except OSError as exc:
        reading.problems.append(f"{LOG_NAME}: unreadable ({exc.strerror or exc})")
    if malformed:
        reading.notes.append(f"{LOG_NAME}: {malformed} malformed line(s) skipped "
                             "(a line torn by a crash, or not ours)")  # fmt: skip
    if not key and reading.anchors:
        reading.notes.append(f"{LOG_NAME}: signatures not checked (no evidence.anchor_key)")
    elif unsigned_early:
        reading.notes.append(f"{LOG_NAME}: {unsigned_early} unsigned line(s) written before "
                             "signing began")  # fmt: skip
    return reading
