"""The sandbox web: a deterministic synthetic internet of piracy sites and legitimate
look-alikes, served on loopback behind an HTTP forward proxy, with published ground truth.

    web = build_web(seed=1)
    with SandboxServer(web) as server:
        ...  # crawl web.seeds() through server.proxy_url
"""

from __future__ import annotations

from .build import build_web
from .model import Catalog, Channel, Response, TruthEntry, Work
from .proxy import RequestRecord, SandboxServer
from .web import SandboxWeb

__all__ = ["Catalog", "Channel", "RequestRecord", "Response", "SandboxServer", "SandboxWeb",
           "TruthEntry", "Work", "build_web"]
