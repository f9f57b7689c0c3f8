"""What a stream-liveness probe found, and how it is judged: pure logic, no Scrapy.

A list of 2,000 channels is only as dangerous as the streams behind it: a probe reads the
first bytes (at most ``safety.probe_bytes``, 64 KB) of a small sample of a playlist's or a
manifest's streams and says whether media came back. The sample is spread over the stream
hosts, since one dead CDN says little about the others. Probed URLs are kept redacted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_MP4_BOXES = (b"ftyp", b"styp", b"moof", b"sidx", b"moov", b"emsg")


@dataclass(frozen=True)
class StreamProbe:
    """One probed stream: ``alive`` when it answered 2xx with media bytes."""

    url: str  # redacted
    status: int | None  # HTTP status; None when nothing answered (timeout, refused)
    alive: bool
    reason: str  # mpegts, mp4, matroska, hls, dash, audio, media_type; http_404, not_media...
    content_type: str
    bytes_read: int  # body bytes kept (at most probe_bytes)
    cut: bool  # the server kept sending: the probe stopped it at probe_bytes


@dataclass(frozen=True)
class ProbeSummary:
    """The probes of one playlist or manifest."""

    probed: int
    alive: int
    results: tuple[StreamProbe, ...]

    @property
    def dead(self) -> int:
        return self.probed - self.alive


def summarize(results: Iterable[StreamProbe]) -> ProbeSummary:
    done = tuple(results)
    return ProbeSummary(probed=len(done), alive=sum(r.alive for r in done), results=done)


def media_kind(head: bytes, content_type: str) -> str | None:
    """What the first bytes of a body are, if they are media or a stream manifest."""
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"\x47" and (len(head) <= 188 or head[188:189] == b"\x47"):
        return "mpegts"
    if head[4:8] in _MP4_BOXES:
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if body.startswith(b"#EXTM3U"):
        return "hls"
    if b"<MPD" in body[:1024]:
        return "dash"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0):
        return "audio"
    ctype = content_type.lower().split(";", 1)[0].strip()
    if head and ctype.startswith(("video/", "audio/", "application/mp2t")) and \
            not body[:15].lower().startswith((b"<!doctype", b"<html", b"{")):  # fmt: skip
        return "media_type"
    return None


def judge(status: int, content_type: str, head: bytes) -> tuple[bool, str]:
    """(alive, reason) of an answer: a 2xx whose first bytes are media or a manifest."""
    if not 200 <= status < 300:
        return False, f"http_{status}"
    kind = media_kind(head, content_type)
    return (True, kind) if kind else (False, "not_media" if head else "empty")


def stream_urls(text: str, base: str, limit: int = 5_000) -> list[str]:
    """The URL lines of an M3U/HLS text (not comments), resolved against ``base``, in order."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url = urljoin(base, line) if "://" not in line else line
        if url.startswith(("http://", "https://")):
            out.append(url)
            if len(out) >= limit:
                break
    return out


def first_per_host(urls: Iterable[str]) -> list[str]:
    """The first URL of each host, in order (one segment per CDN of a manifest)."""
    out: dict[str, str] = {}
    for url in urls:
        try:
            key = urlsplit(url).netloc.lower()
        except ValueError:
            continue
        out.setdefault(key, url)
    return list(out.values())


def sample(urls: Iterable[str], n: int) -> list[str]:
    """Up to ``n`` distinct URLs, one host after another (round robin, first seen first)."""
    if n <= 0:
        return []
    by_host: dict[str, list[str]] = {}
    seen: set[str] = set()
    for url in urls:
        if url in seen:
            continue
        seen.add(url)
        try:
            key = urlsplit(url).netloc.lower()
        except ValueError:
            continue
        bucket = by_host.setdefault(key, [])
        if len(bucket) < n:
            bucket.append(url)
    out: list[str] = []
    depth = 0
    while len(out) < n and any(depth < len(b) for b in by_host.values()):
        for bucket in by_host.values():
            if depth < len(bucket) and len(out) < n:
                out.append(bucket[depth])
        depth += 1
    return out
