"""Host lists from config matched against URLs: exact hosts, parent domains, any-TLD names.

Piracy hosts hop TLDs (dood.watch, dood.to, dood.so...), so an entry ``dood.*`` matches the
name ``dood`` under any suffix; ``streamtape.com`` matches it and all its subdomains.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=16384)
def url_host(url: str, default: str = "") -> str:
    """Lower-case host of ``url`` (``default`` for relative URLs); never raises."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return ""
    if host is None:
        return default if not url.strip().lower().startswith(("magnet:", "data:")) else ""
    return host.rstrip(".").removeprefix("www.")


_MEMO_MAX = 16384
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "go", "or", "ne"})


@lru_cache(maxsize=16384)
def site_of(host: str) -> str:
    """Approximate registered domain (``www.bbc.co.uk`` -> ``bbc.co.uk``), offline and cheap.

    Good enough to tell "same site" from "third party"; not a public-suffix lookup.
    """
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


class HostSet:
    """Matches a host against configured entries (``example.com``, ``name.*``)."""

    def __init__(self, entries: Iterable[str]) -> None:
        exact: set[str] = set()
        any_tld: set[str] = set()
        for entry in entries:
            host = str(entry).strip().lower().rstrip(".").removeprefix("www.")
            if host.endswith(".*"):
                any_tld.add(host[:-2])
            elif host:
                exact.add(host)
        self._exact = frozenset(exact)
        self._any_tld = frozenset(any_tld)
        # Pages link the same few hosts over and over: remember each host's answer.
        self._memo: dict[str, str | None] = {}

    def __bool__(self) -> bool:
        return bool(self._exact or self._any_tld)

    def match(self, host: str) -> str | None:
        """The entry ``host`` falls under, or None."""
        if not host:
            return None
        try:
            return self._memo[host]
        except KeyError:
            pass
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        found = self._memo[host] = self._match(host)
        return found

    def _match(self, host: str) -> str | None:
        labels = host.split(".")
        for index in range(len(labels)):
            candidate = ".".join(labels[index:])
            if candidate in self._exact:
                return candidate
        # "name.*": the name must be followed only by a short public suffix (1-2 labels).
        for index in range(max(0, len(labels) - 3), len(labels) - 1):
            if labels[index] in self._any_tld:
                return labels[index] + ".*"
        return None
