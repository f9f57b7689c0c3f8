"""Redirect proofs: a known domain sending its visitors to another one.

Three ways, as seen in the wild: an HTTP 301/302/307/308 chain (Scrapy's redirect
middlewares record it in ``response.meta["redirect_urls"]`` with the status or "meta
refresh" in ``redirect_reasons``), a ``<meta http-equiv="refresh">`` that the crawler did not
follow, and a JavaScript ``location`` assignment in an inline script (never executed: read
as text).  Each yields the target URL and how it was proven.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urljoin

from crawler.domains import registered_domain
from crawler.linking.identifiers import decode

HTTP_REDIRECTS = (301, 302, 303, 307, 308)
_META_REFRESH = re.compile(
    r"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*?content\s*=\s*"
    r"(?:\"([^\"]*)\"|'([^']*)')"
    r"|<meta[^>]+content\s*=\s*(?:\"([^\"]*)\"|'([^']*)')[^>]*http-equiv\s*=\s*[\"']?refresh",
    re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";\s]+)", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>",
                     re.IGNORECASE | re.DOTALL)
_JS_LOCATION = re.compile(
    r"(?:(?:window|document|top|self|parent)\s*\.\s*)?location"
    r"(?:\s*\.\s*href)?\s*(?:=(?!=)\s*|\.\s*(?:replace|assign)\s*\(\s*)"
    r"([\"'`])(https?://[^\"'`\s]{3,2000}|//[^\"'`\s]{3,2000})\1")


@dataclass(frozen=True)
class RedirectProof:
    """``source`` URL sends to ``target`` URL; ``how``: ``http_301``..., ``meta_refresh``,
    ``js_location``."""

    source: str
    target: str
    how: str

    @property
    def crosses_domains(self) -> bool:
        """True when the registered domain changes (the only redirects that link sites)."""
        return registered_domain(self.source) != registered_domain(self.target)


def chain_proofs(meta: Mapping[str, Any], final_url: str) -> list[RedirectProof]:
    """Proofs from a response's redirect chain (``redirect_urls`` and ``redirect_reasons``)."""
    urls: Sequence[Any] = meta.get("redirect_urls") or []
    reasons: Sequence[Any] = meta.get("redirect_reasons") or []
    hops = [str(u) for u in urls] + [final_url]
    out = []
    for i in range(len(hops) - 1):
        reason = reasons[i] if i < len(reasons) else None
        if isinstance(reason, int) and reason in HTTP_REDIRECTS:
            how = f"http_{reason}"
        elif reason == "meta refresh":
            how = "meta_refresh"
        else:
            how = "http_redirect"
        out.append(RedirectProof(hops[i], hops[i + 1], how))
    return out


def page_redirects(body: bytes | str, page_url: str) -> list[RedirectProof]:
    """Meta refreshes and JS location assignments in a page, targets made absolute."""
    text = decode(body)
    out: dict[tuple[str, str], None] = {}
    for match in _META_REFRESH.finditer(text):
        content = unescape(next(g for g in match.groups() if g is not None))
        url = _REFRESH_URL.search(content)
        if url:
            out.setdefault((_absolute(page_url, url.group(1)), "meta_refresh"))
    for script in _SCRIPT.finditer(text):
        for match in _JS_LOCATION.finditer(script.group(1)):
            out.setdefault((_absolute(page_url, match.group(2)), "js_location"))
    return [RedirectProof(page_url, target, how) for (target, how) in out
            if target.startswith(("http://", "https://"))]


def _absolute(base: str, url: str) -> str:
    try:
        return urljoin(base, url.strip())
    except ValueError:  # a malformed IPv6 literal and the like
        return ""
