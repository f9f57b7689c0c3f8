"""An origin server of the sandbox: one (hostname, port) and what it serves.

Modes mirror what a crawler meets in the wild: ``serve`` (a normal site), ``redirect`` (a
domain that moved: 301 with the path kept), ``refused`` and ``timeout`` (a dead site, which
the proxy reports the way a real forward proxy does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Resource

Route = Callable[[str, dict[str, list[str]]], Resource | None]


@dataclass
class Origin:
    """One host:port of the web."""

    host: str
    port: int
    domain: str  # registered domain (eTLD+1)
    site: str  # operation id
    mode: str = "serve"  # "serve" | "redirect" | "refused" | "timeout"
    target: str = ""  # for "redirect": scheme://host[:port] that receives the path
    server: str = "nginx"
    behaviour: str = "normal"  # "normal" | "slow" | "flaky"
    resources: dict[str, Resource] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    not_found: Resource | None = None

    @property
    def netloc(self) -> str:
        """host[:port] as written in URLs."""
        return self.host if self.port == 80 else f"{self.host}:{self.port}"

    @property
    def base(self) -> str:
        """scheme://netloc of this origin."""
        return f"http://{self.netloc}"
