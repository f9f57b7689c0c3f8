"""Xtream-Codes panels and Stalker (MAG) portals: lines (panel + credentials) found in URLs,
``player_api.php`` answers (``user_info``, ``server_info``, categories, stream counts), and
portal paths. Credentials never leave this module in clear: items carry the salted hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.extract import ParseError

MAX_JSON_BYTES = 20_000_000
_STREAM_PATH = re.compile(r"^/(?:(?:live|movie|series|timeshift)/)?([^/]{1,128})/([^/]{1,128})/"
                          r"\d{1,12}(?:\.\w{2,4})?$")  # fmt: skip
_API_PATHS = ("/player_api.php", "/get.php", "/xmltv.php", "/panel_api.php")
_STALKER = re.compile(r"(?i)^(?:/stalker_portal(?:/c)?/?|/c/?|/portal\.php|/server/load\.php"
                      r"|/stalker_portal/server/load\.php)$")  # fmt: skip
_URL = re.compile(r"https?://[^\s\"'<>]{3,2000}")
_USER_INFO_KEEP = ("auth", "status", "exp_date", "is_trial", "active_cons", "created_at",
                   "max_connections", "allowed_output_formats", "message")  # fmt: skip
_SERVER_INFO_KEEP = ("url", "port", "https_port", "server_protocol", "rtmp_port", "timezone",
                     "timestamp_now")  # fmt: skip


@dataclass(frozen=True)
class XtreamLine:
    """A subscriber line: the panel's base URL and its credentials (kept in memory only)."""

    base: str  # 'http://host:port'
    username: str
    password: str


@dataclass(frozen=True)
class Category:
    """A live/VOD/series category of a panel."""

    id: str
    name: str


@dataclass(frozen=True)
class PanelAccount:
    """The account answer of ``player_api.php``: what the line is and where it is served."""

    authenticated: bool
    user_info: dict[str, str]  # status, exp_date, is_trial, max_connections... (no secrets)
    server_info: dict[str, str]  # url, port, https_port, server_protocol, timezone...


def _base(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def line_from_url(url: str) -> XtreamLine | None:
    """The line an Xtream URL uses: ``get.php``/``player_api.php`` query or a stream path."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    base = _base(url.strip())
    if base is None:
        return None
    if parts.path in _API_PATHS:
        query = parse_qs(parts.query)
        user = (query.get("username") or [""])[0]
        password = (query.get("password") or [""])[0]
        return XtreamLine(base, user, password) if user and password else None
    match = _STREAM_PATH.match(parts.path)
    if match and (parts.port not in (None, 80, 443) or parts.path.startswith(
            ("/live/", "/movie/", "/series/", "/timeshift/"))):  # fmt: skip
        return XtreamLine(base, match.group(1), match.group(2))
    return None


def lines_in(urls: list[str], text: str = "") -> list[XtreamLine]:
    """Distinct lines in ``urls`` and in URLs written in ``text``, in order."""
    found: dict[XtreamLine, None] = {}
    for url in [*urls, *_URL.findall(text[:2_000_000])]:
        line = line_from_url(url)
        if line is not None:
            found[line] = None
    return list(found)


def stalker_portals(urls: list[str], text: str = "") -> list[str]:
    """Stalker/MAG portal URLs (``/c/``, ``/stalker_portal/``, ``/portal.php``) seen."""
    found: dict[str, None] = {}
    for url in [*urls, *_URL.findall(text[:2_000_000])]:
        url = url.rstrip(".,;)")
        try:
            path = urlsplit(url).path
        except ValueError:
            continue
        if _STALKER.match(path) and (base := _base(url)):
            found[base + path] = None
    return list(found)


def _load(body: bytes) -> Any:
    if len(body) > MAX_JSON_BYTES:
        raise ParseError("panel answer too large")
    try:
        return json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"panel JSON: {exc}") from None


def _strings(data: Any, keep: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    return {k: (",".join(map(str, v)) if isinstance(v, list) else str(v))[:200]
            for k, v in data.items() if k in keep and v is not None}  # fmt: skip


def parse_account(body: bytes) -> PanelAccount:
    """``player_api.php`` without action; username and password fields are dropped."""
    data = _load(body)
    if not isinstance(data, dict) or "user_info" not in data:
        raise ParseError("not an Xtream account answer (no user_info)")
    user = _strings(data.get("user_info"), _USER_INFO_KEEP)
    return PanelAccount(
        authenticated=user.get("auth") == "1",
        user_info=user,
        server_info=_strings(data.get("server_info"), _SERVER_INFO_KEEP),
    )


def parse_categories(body: bytes) -> tuple[Category, ...]:
    """``action=get_live_categories`` (or vod/series): id and name of each category."""
    data = _load(body)
    if not isinstance(data, list):
        raise ParseError("categories answer is not a list")
    return tuple(Category(str(c.get("category_id", "")), str(c.get("category_name", ""))[:200])
                 for c in data if isinstance(c, dict))  # fmt: skip


def count_streams(body: bytes) -> int:
    """Entries of a ``get_live_streams`` / ``get_vod_streams`` / ``get_series`` answer."""
    data = _load(body)
    if not isinstance(data, list):
        raise ParseError("streams answer is not a list")
    return sum(1 for s in data if isinstance(s, dict))
