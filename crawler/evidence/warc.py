"""WARC files of evidence: request, response and metadata records of each flagged page.

The three records of one capture are built in memory as gzip members, hashed, then appended
to the current file and synced to disk before the capture's row is committed; the row keeps
the file name, offset, length and SHA-256 of exactly those bytes.  Gzip members concatenate,
so any capture's byte range is itself a valid WARC (that is how case files are cut).  A file
is closed and the next one started past ``max_bytes``; every process writes its own files.

``append_many`` writes a batch and syncs once (an fsync costs ~10 ms on a disk, and per
capture it capped evidence at ~100 pages/s): the caller commits the rows only after it
returns, so no row ever points at bytes that are not on disk.  A file closed mid-batch by
rotation is synced before it is closed, and a new file's directory entry is synced too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_SUFFIX = ".warc.gz"


@dataclass(frozen=True)
class Fetch:
    """One page as fetched, with what an examiner needs to know about the exchange."""

    url: str
    status: int
    body: bytes
    fetched_at: datetime
    request_method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    redirect_chain: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    """Where a capture's records went and the digest of their bytes."""

    warc_file: str
    offset: int
    length: int
    sha256: str
    payload_sha256: str


def _date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _MemberWriter(WARCWriter):
    """One gzip member per record, as warcio writes them, at zlib level 6 instead of 9:
    warcio's level 9 took 40 % more CPU per capture for 0.1 % smaller records (16 KB
    pages), and building the records is what bounds capture once fsyncs are grouped."""

    def __init__(self, out: io.BytesIO) -> None:
        super().__init__(out, gzip=False)

    def _write_warc_record(self, out: Any, record: Any) -> Any:
        raw = io.BytesIO()
        written = super()._write_warc_record(raw, record)
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        out.write(packer.compress(raw.getbuffer()) + packer.flush())
        return written


def capture_bytes(fetch: Fetch, crawler: str, metadata: dict[str, Any]) -> bytes:
    """The gzip-member bytes of the request, response and metadata records of ``fetch``."""
    buffer = io.BytesIO()
    writer = _MemberWriter(buffer)
    date = _date(fetch.fetched_at)
    common: dict[str, str] = {"WARC-Date": date}
    if fetch.ip_address:
        common["WARC-IP-Address"] = fetch.ip_address
    response_headers = [(k, v) for k, v in fetch.response_headers]
    response = writer.create_warc_record(
        fetch.url,
        "response",
        payload=io.BytesIO(fetch.body),
        length=len(fetch.body),
        warc_headers_dict=dict(common),
        http_headers=StatusAndHeaders(
            f"{fetch.status} {_reason(fetch.status)}", response_headers, protocol=fetch.protocol
        ),
    )
    parts = urlsplit(fetch.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = list(fetch.request_headers)
    if not any(k.lower() == "host" for k, _ in request_headers) and parts.netloc:
        request_headers.insert(0, ("Host", parts.netloc))
    request = writer.create_warc_record(
        fetch.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        warc_headers_dict=dict(common),
        http_headers=StatusAndHeaders(
            f"{fetch.request_method} {target} {fetch.protocol}",
            request_headers,
            is_http_request=True,
        ),
    )
    writer.write_request_response_pair(request, response)
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    body = json.dumps({"crawler": crawler, **metadata}, sort_keys=True, default=str).encode()
    meta = writer.create_warc_record(
        fetch.url,
        "metadata",
        payload=io.BytesIO(body),
        length=len(body),
        warc_content_type="application/json",
        warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
    )
    writer.write_record(meta)
    return buffer.getvalue()


class WarcStore:
    """Appends captures to rotating gzip WARC files under ``directory`` (thread-safe)."""

    def __init__(self, directory: Path, max_bytes: int, crawler: str) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.crawler = crawler
        self._lock = threading.Lock()
        self._file: io.BufferedWriter | None = None
        self._name = ""
        self._serial = 0
        directory.mkdir(parents=True, exist_ok=True)

    def _open(self) -> None:
        self.close()
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        host = "".join(c if c.isalnum() or c in "-." else "_" for c in socket.gethostname())
        self._name = f"ISOP-{stamp}-{self._serial:05d}-{host[:40]}-{os.getpid()}{WARC_SUFFIX}"
        self._file = (self.directory / self._name).open("xb")
        _sync_directory(self.directory)
        info = io.BytesIO()
        writer = WARCWriter(info, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                self._name, {"software": "isop-crawler", "operator": self.crawler}
            )
        )
        self._file.write(info.getvalue())

    def append(self, fetch: Fetch, metadata: dict[str, Any]) -> Stored:
        """Write one capture, synced to disk, and say where it is."""
        return self.append_many([(fetch, metadata)])[0]

    def append_many(self, captures: Sequence[tuple[Fetch, dict[str, Any]]]) -> list[Stored]:
        """Write captures in order, then sync once; where each one is, in the same order."""
        built = [(fetch, capture_bytes(fetch, self.crawler, metadata))
                 for fetch, metadata in captures]  # fmt: skip
        placed: list[tuple[str, int]] = []
        with self._lock:
            for _, data in built:
                if self._file is None or (
                    self._file.tell() > 0 and self._file.tell() + len(data) > self.max_bytes
                ):
                    self._open()
                assert self._file is not None
                placed.append((self._name, self._file.tell()))
                self._file.write(data)
            if self._file is not None and built:
                self._sync()
        return [
            Stored(
                warc_file=name,
                offset=offset,
                length=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                payload_sha256=hashlib.sha256(fetch.body).hexdigest(),
            )
            for (fetch, data), (name, offset) in zip(built, placed, strict=True)
        ]

    def _sync(self) -> None:
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._sync()  # rotation mid-batch: what was written must be on disk too
            self._file.close()
            self._file = None


def _sync_directory(directory: Path) -> None:
    """Make a new file's name durable (Linux needs the directory itself synced)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not supported here (some file systems): the file's own sync still holds
    finally:
        os.close(fd)


def read_range(path: Path, offset: int, length: int) -> bytes:
    """The bytes a capture row points at (shorter if the file was truncated)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)
