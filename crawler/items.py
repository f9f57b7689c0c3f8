"""Typed items that flow from spiders to detectors to the registry.

Scrapy handles dataclass items natively (itemadapter), so these stay plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detectors.base import Verdict

#: What a fetched document is, as detectors see it.
PAGE_KINDS = ("html", "playlist", "panel", "other")


@dataclass
class PageItem:
    """One fetched document and what is known about how it was reached."""

    url: str
    domain: str  # registered domain of the final URL
    status: int
    content_type: str
    kind: str  # one of PAGE_KINDS
    body: bytes
    fetched_at: datetime
    redirect_chain: list[str] = field(default_factory=list)  # URLs before the final one
    referer: str | None = None
    site_hops: int = 0  # cross-site links followed from a seed
    verdict: Verdict | None = None
    # How it was fetched (headers, address, protocol), for evidence: crawler.evidence.capture
    capture: dict[str, Any] | None = None

    @property
    def redirect_domains(self) -> list[str]:
        """Registered domains of the redirect chain other than the final one, in order."""
        from crawler.domains import registered_domain

        seen: list[str] = []
        for url in self.redirect_chain:
            dom = registered_domain(url)
            if dom and dom != self.domain and dom not in seen:
                seen.append(dom)
        return seen
