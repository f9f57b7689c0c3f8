"""Read what ``isop detect`` / ``explain`` / ``eval`` are asked to judge: a file or a URL.

A local file is read as bytes (capped); its URL is ``--url`` when given (the page's domain and
relative links then mean something), else its ``file://`` URI. An http(s) target is fetched
for real with the standard library (redirects followed, environment proxies honoured, a
timeout and a size cap). Anything that goes wrong is a ``TargetError`` with a one-line cause.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from detectors.base import Content
from detectors.inputs import InputError, sniff_kind, to_content

MAX_BYTES = 5_000_000
TIMEOUT = 20.0
USER_AGENT = "isop-detect/0.1 (+analyst tool)"


class TargetError(Exception):
    """A target that cannot be read: missing file, refused connection, HTTP error..."""


def _fetch(url: str, timeout: float) -> tuple[str, bytes, str]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES)
            return response.geturl(), body, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise TargetError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise TargetError(f"cannot fetch: {exc.reason}") from exc
    except (TimeoutError, OSError, ValueError) as exc:
        raise TargetError(f"cannot fetch: {exc}") from exc


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES)
    except FileNotFoundError as exc:
        raise TargetError("no such file") from exc
    except IsADirectoryError as exc:
        raise TargetError("is a directory, not a file") from exc
    except OSError as exc:
        raise TargetError(exc.strerror or str(exc)) from exc


def read_target(target: str, url: str | None = None, timeout: float = TIMEOUT) -> Content:
    """The content of a local file or an http(s) URL, sniffed into the right kind."""
    if target.startswith(("http://", "https://")):
        final_url, body, content_type = _fetch(target, timeout)
    else:
        path = Path(target)
        body, content_type = _read_file(path), ""
        final_url = url or path.resolve().as_uri()
    if not body:
        raise TargetError("empty")
    kind = sniff_kind(body, target, content_type)
    try:
        return to_content(final_url, body, kind, content_type)
    except InputError as exc:
        raise TargetError(str(exc)) from exc
