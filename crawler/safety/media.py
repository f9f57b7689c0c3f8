"""Never download media payloads: video/audio segments, archives and executables are refused
before the request (by extension or Xtream stream path) and stopped at the headers (by
Content-Type) when a URL hid what it was. Manifests, pages, images and .torrent files are
read, each kind with its own size cap; a stream-liveness probe reads at most 64 KB.

Scrapy's HttpCompressionMiddleware decompresses with the same per-request
``download_maxsize``, so a gzip bomb stops at the cap of its kind, not at its inflated size.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, StopDownload

MEDIA_EXTENSIONS = frozenset({
    "ts", "m4s", "m4v", "mp4", "mkv", "avi", "mov", "wmv", "flv", "webm", "mpg", "mpeg", "3gp",
    "vob", "m2ts", "mts", "ogv", "aac", "mp3", "m4a", "flac", "ogg", "opus", "wav", "wma",
    "zip", "rar", "7z", "tar", "tgz", "bz2", "xz", "iso", "img", "dmg", "exe", "msi", "apk",
    "xapk", "bin", "deb", "rpm", "jar", "cab", "r00", "r01", "part",
})  # fmt: skip
_PART_RAR = re.compile(r"\.(?:part\d{1,3}\.rar|r\d{2}|\d{3})$")
_XTREAM_STREAM = re.compile(r"^/(?:(?:live|movie|series|timeshift)/)?[^/]{1,128}/[^/]{1,128}/"
                            r"\d{1,12}(?:\.(?:ts|mkv|mp4|avi))?$")  # fmt: skip
_MEDIA_TYPES = ("video/", "audio/", "application/zip", "application/x-rar", "application/vnd.rar",
                "application/x-7z", "application/x-msdownload", "application/x-msi",
                "application/vnd.android.package-archive", "application/x-iso9660",
                "application/x-tar", "application/x-matroska", "application/mp2t",
                "application/x-dosexec", "application/java-archive")  # fmt: skip
_IMAGE_EXT = frozenset({"jpg", "jpeg", "png", "gif", "webp", "ico", "bmp", "svg", "avif"})
_PLAYLIST_EXT = frozenset({"m3u", "m3u8", "xml", "xmltv", "mpd"})


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def media_reason(url: str) -> str | None:
    """Why ``url`` is a media payload (its extension, 'xtream_stream'), or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path.lower()
    ext = _extension(path)
    if ext in MEDIA_EXTENSIONS or _PART_RAR.search(path):
        if ext == "gz" or path.endswith((".xml.gz", ".m3u.gz")):
            return None
        return ext or "archive_part"
    if parts.port not in (None, 80, 443) and _XTREAM_STREAM.match(parts.path) and not ext:
        return "xtream_stream"
    return None


def is_media_type(content_type: str) -> bool:
    """A Content-Type that is a payload (video, audio, archive, executable)."""
    ctype = content_type.lower().split(";", 1)[0].strip()
    if "mpegurl" in ctype or "dash+xml" in ctype:  # playlists (audio/x-mpegurl) are manifests
        return False
    return ctype.startswith(_MEDIA_TYPES)


class MediaGuard:
    """Downloader middleware + signal handlers that keep payloads out, by URL and by header."""

    def __init__(self, crawler: Crawler, caps: dict[str, int], probe_bytes: int) -> None:
        self.crawler = crawler
        self.caps = caps
        self.probe_bytes = probe_bytes
        self._probe_seen: dict[int, int] = {}
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self.downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MediaGuard:
        safety = crawler.settings["ISOP_CONFIG"].safety
        caps = {"playlist": safety.max_playlist_bytes, "image": safety.max_image_bytes,
                "torrent": safety.max_torrent_bytes}  # fmt: skip
        return cls(crawler, caps, safety.probe_bytes)

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"isop/safety/{key}")

    def resource_kind(self, url: str) -> str:
        """playlist, image, torrent or page: which size cap applies."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return "page"
        ext = _extension(parts.path)
        if ext in _PLAYLIST_EXT or parts.path in ("/get.php", "/xmltv.php", "/player_api.php"):
            return "playlist"
        if ext in _IMAGE_EXT:
            return "image"
        if ext == "torrent" or "/download/" in parts.path.lower():
            return "torrent"
        return "page"

    def process_request(self, request: Request) -> Any:
        if request.meta.get("isop_probe"):
            request.meta.setdefault("download_maxsize", 0)  # the probe cuts at probe_bytes
            return None
        reason = media_reason(request.url)
        if reason is not None:
            self._count(f"media_refused/{reason}")
            raise IgnoreRequest(f"media payload not fetched ({reason}): {request.url[:200]}")
        cap = self.caps.get(self.resource_kind(request.url))
        if cap is not None:
            request.meta.setdefault("download_maxsize", cap)
        return None

    def headers_received(self, headers: Any, body_length: int, request: Request,
                         spider: Any) -> None:  # fmt: skip
        if request.meta.get("isop_probe"):
            # a body announced at most probe_bytes long (a 206 to the probe's Range) ends by
            # itself: only unknown or longer ones are counted, and cut
            if not (isinstance(body_length, int) and 0 <= body_length <= self.probe_bytes):
                self._probe_seen[id(request)] = 0
            return
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1")
        if is_media_type(ctype) and not request.url.lower().split("?")[0].endswith(".torrent"):
            self._count("media_stopped")
            raise StopDownload(fail=True)

    def downloaded(self, response: Any, request: Request, spider: Any) -> None:
        self._probe_seen.pop(id(request), None)  # a probe that ended below the cap

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        key = id(request)
        if key not in self._probe_seen or not request.meta.get("isop_probe"):
            return
        seen = self._probe_seen[key] + len(data)
        self._probe_seen[key] = seen
        if seen >= self.probe_bytes:
            self._probe_seen.pop(key, None)
            self._count("probe_cut")
            raise StopDownload(fail=False)
