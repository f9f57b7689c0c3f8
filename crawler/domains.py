"""Registered-domain logic, offline.

Every shard key, registry site and ground-truth entry is keyed by the registered domain
(``eTLD+1``).  tldextract is built with ``suffix_list_urls=()`` so it only ever reads the
suffix list bundled in the wheel: a crawler host without egress must not stall or log
errors trying to refresh it.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

# Private suffixes (blogspot.com, github.io...) count: each blog is its own site.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


def hostname(url_or_host: str) -> str:
    """Lower-cased hostname of a URL (or the argument itself when it is a bare host)."""
    text = url_or_host.strip()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    else:
        text = text.split("/", 1)[0].rsplit("@", 1)[-1]
        if text.startswith("["):
            return text.strip("[]").lower()
        text = text.split(":", 1)[0]
    return text.rstrip(".").lower()


@lru_cache(maxsize=65536)
def _registered(host: str) -> str:
    parts = _EXTRACT(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    # IP addresses, localhost, unknown suffixes: the host is its own "registered domain".
    return host


def registered_domain(url_or_host: str) -> str:
    """The registered domain (eTLD+1) of a URL or host, e.g. ``www.yts.mx`` -> ``yts.mx``."""
    host = hostname(url_or_host)
    return _registered(host) if host else ""
