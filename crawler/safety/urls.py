"""URL canonicalisation and crawler-trap checks.

Session ids and tracking parameters make one page look like thousands; calendars, endless
pagination and repeating path segments make a site look infinite. Canonical URLs keep the
frontier's dedup honest; the trap checks refuse URLs no real page needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Exact names (lower-case) and prefixes of parameters that never select content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "spm", "scid",
    "sid", "sessionid", "session_id", "phpsessid", "jsessionid", "aspsessionid", "cfid",
    "cftoken", "sessid", "s_id", "zenid", "osCsid".lower(), "xtor",
})  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs", "vero_", "oly_")
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.IGNORECASE)
_DATE_IN_PATH = re.compile(r"(?:^|[/=-])(19|20)\d{2}[/-](0?[1-9]|1[0-2])(?:[/-]\d{1,2})?(?:$|[/&])")


def canonical_url(url: str) -> str:
    """Drop session and tracking parameters and ``;jsessionid=`` path parameters, and the
    fragment; keep the order of the remaining parameters (some sites care)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _PATH_SESSION.sub("", parts.path)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs
                if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, query, ""))


@dataclass(frozen=True)
class TrapLimits:
    """Thresholds of :func:`trap_reason` (named in config ``safety``)."""

    max_url_length: int = 2000
    max_path_segments: int = 16
    max_repeated_segment: int = 3  # the same path segment this many times: /a/b/a/b/a/b
    max_query_params: int = 12
    max_page_number: int = 200  # ?page=N or /page/N beyond this is a trap


_PAGE_NUMBER = re.compile(r"(?:[?&](?:page|p|pg|paged|start|offset)=|/page/)(\d{1,9})",
                          re.IGNORECASE)  # fmt: skip


def trap_reason(url: str, limits: TrapLimits) -> str | None:
    """Why ``url`` looks like a crawler trap ('' never; None when it looks fine)."""
    if len(url) > limits.max_url_length:
        return "url_too_long"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "unparsable"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > limits.max_path_segments:
        return "too_deep_path"
    counts: dict[str, int] = {}
    for segment in segments:
        counts[segment] = counts.get(segment, 0) + 1
        if counts[segment] >= limits.max_repeated_segment:
            return "repeating_path"
    if parts.query and parts.query.count("&") + 1 > limits.max_query_params:
        return "too_many_params"
    for match in _PAGE_NUMBER.finditer(url):
        if int(match.group(1)) > limits.max_page_number:
            return "page_number"
    return None


def is_calendar(url: str) -> bool:
    """A date in the path or query (calendars and archives are the classic infinite trap)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(_DATE_IN_PATH.search(parts.path) or _DATE_IN_PATH.search(parts.query))
