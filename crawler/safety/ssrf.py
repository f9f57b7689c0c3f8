"""Refuse private, loopback, link-local, reserved and cloud-metadata addresses (SSRF): a
hostile page can link to ``http://169.254.169.254/`` or ``http://127.0.0.1:6379/``.

Two checks: a downloader middleware refuses literal addresses and internal names before the
request is sent, and a resolver refuses names that resolve to such addresses (DNS rebinding
to a private address fails at lookup, before any connection). Entries of
``safety.allow_private`` are exempt; the proxy configured in ``crawl.proxy`` is trusted as a
proxy endpoint only: a request whose target is the proxy itself is still refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

METADATA_NAMES = frozenset({"metadata", "metadata.google.internal", "instance-data",
                            "metadata.azure.internal", "localhost", "ip6-localhost",
                            "ip6-loopback"})  # fmt: skip
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_private(address: Address) -> bool:
    """Anything that is not a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified
            or not address.is_global)  # fmt: skip


class AllowList:
    """``host:port``, ``host`` and CIDR entries exempt from the SSRF refusal."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.endpoints: set[tuple[str, int | None]] = set()
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            self.endpoints.add((host.strip("[]"), int(port) if port.isdigit() else None))

    def allows(self, host: str, port: int | None) -> bool:
        host = host.lower().strip("[]")
        if (host, port) in self.endpoints or (host, None) in self.endpoints:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self.networks)


def refusal(host: str, port: int | None, allow: AllowList) -> str | None:
    """Why fetching ``host`` is refused ('private_address', 'internal_name'), or None."""
    host = host.lower().rstrip(".").strip("[]")
    if allow.allows(host, port):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host in METADATA_NAMES or host.endswith(INTERNAL_SUFFIXES) or "." not in host:
            return "internal_name"
        return None
    return "private_address" if is_private(address) else None


def _endpoint(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or ""), port or (443 if parts.scheme == "https" else 80)


class SsrfGuard:
    """Downloader middleware: refuse private targets and untrusted private proxies."""

    def __init__(self, crawler: Crawler, allow: AllowList, proxy: str) -> None:
        self.crawler = crawler
        self.allow = allow
        self.proxy = _endpoint(proxy) if proxy else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuard:
        config = crawler.settings["ISOP_CONFIG"]
        return cls(crawler, AllowList(config.safety.allow_private), config.crawl.proxy)

    def process_request(self, request: Request) -> Any:
        host, port = _endpoint(request.url)
        reason = refusal(host, port, self.allow)
        proxy = request.meta.get("proxy")
        if reason is None and proxy:
            proxy_end = _endpoint(proxy if "://" in proxy else f"http://{proxy}")
            if proxy_end != self.proxy:
                reason = refusal(*proxy_end, self.allow)
        if reason is not None:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"isop/safety/ssrf_refused/{reason}")
            raise IgnoreRequest(f"refused {reason} (SSRF): {request.url[:200]}")
        return None


def _without_port(entry: str) -> str:
    entry = entry.strip()
    if entry.count(":") == 1 and "/" not in entry:
        return entry.rsplit(":", 1)[0]
    return entry.strip("[]") if entry.startswith("[") else entry


class SafeResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that fails lookups answering a private address."""

    allow: AllowList = AllowList(())

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> SafeResolver:
        resolver = super().from_crawler(crawler, reactor)
        config = crawler.settings.get("ISOP_CONFIG")
        entries = list(config.safety.allow_private) if config is not None else []
        if config is not None and config.crawl.proxy:
            entries.append(_endpoint(config.crawl.proxy)[0])  # the proxy's own name
        # A lookup knows no port: an allowed "host:port" lets the host resolve; the port is
        # still checked by SsrfGuard before the request is sent.
        resolver.allow = AllowList(_without_port(e) for e in entries)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return address
        if is_private(parsed) and not self.allow.allows(name, None) \
                and not self.allow.allows(address, None):  # fmt: skip
            raise DNSLookupError(f"{name} resolves to private address {address} (SSRF refused)")
        return address
