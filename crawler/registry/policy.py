"""What the registry decides on its own: when a candidate is confirmed, when a site is due.

Thresholds are data: confirmation follows the site rule of ``config/detectors.yaml``
(section ``site``: one page at ``confirm_score`` or ``confirm_pages`` flagged pages, the same
rule as :func:`detectors.site.site_status`, so the registry and ``isop eval``/``rescore``
agree on what a confirmed site is); revisit intervals come from ``config/defaults.yaml``
(``monitor``).  This is their typed, validated form handed to :class:`crawler.registry.Registry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from crawler.config import Config
from crawler.registry.vocab import SITE_STATUSES
from detectors.site import SiteConfig

DEFAULT_REVISIT_S: Mapping[str, float] = MappingProxyType(
    {
        "confirmed": 600,
        "monitored": 3600,
        "down": 1800,
        "parked": 86400,
        "seized": 604800,
        "moved": 600,
    }
)


@dataclass(frozen=True)
class Policy:
    """Lifecycle thresholds.  ``revisit_s`` lists the statuses the monitor checks."""

    # The site rule (detectors.yaml ``site``): a flagged page at ``confirm_score`` confirms a
    # candidate on its own, ``confirm_pages`` flagged pages (distinct URLs) together do.
    confirm_score: float = SiteConfig().confirm_score
    confirm_pages: int = SiteConfig().confirm_pages
    revisit_s: Mapping[str, float] = field(default_factory=lambda: DEFAULT_REVISIT_S)
    down_after_failures: int = 2
    # How long a monitor's claim on a scheduled check outlives its due time before another
    # monitor may schedule the site again (its request was lost with a dead Redis, say).
    claim_grace_s: float = 900

    def __post_init__(self) -> None:
        if not 0.0 <= self.confirm_score <= 1.0:
            raise ValueError(f"confirm_score must be within [0, 1], got {self.confirm_score}")
        if self.confirm_pages < 1:
            raise ValueError(f"confirm_pages must be at least 1, got {self.confirm_pages}")
        unknown = set(self.revisit_s) - SITE_STATUSES
        if unknown:
            raise ValueError(f"revisit intervals for unknown statuses: {sorted(unknown)}")
        if "false_positive" in self.revisit_s or "candidate" in self.revisit_s:
            raise ValueError("candidates and false positives are not monitored")
        if any(seconds <= 0 for seconds in self.revisit_s.values()):
            raise ValueError("revisit intervals must be positive seconds")
        if self.down_after_failures < 1:
            raise ValueError("down_after_failures must be at least 1")

    def revisit(self, status: str) -> timedelta | None:
        """Time to the next check of a site in ``status``; None: not monitored."""
        seconds = self.revisit_s.get(status)
        return None if seconds is None else timedelta(seconds=seconds)

    @property
    def site_rule(self) -> SiteConfig:
        """The confirmation rule in the form :mod:`detectors.site` takes."""
        return SiteConfig(confirm_score=self.confirm_score, confirm_pages=self.confirm_pages)

    @property
    def monitored_statuses(self) -> frozenset[str]:
        return frozenset(self.revisit_s)


def policy_from(config: Config) -> Policy:
    """The policy the typed config describes: the detectors' ``site`` rule (overridden by
    ``registry.confirm_score`` when that is set) and the ``monitor`` section."""
    rule = _site_rule(config)
    override = config.registry.confirm_score
    return Policy(
        confirm_score=rule.confirm_score if override is None else override,
        confirm_pages=rule.confirm_pages,
        revisit_s=MappingProxyType(dict(config.monitor.revisit)),
        down_after_failures=config.monitor.down_after_failures,
        claim_grace_s=config.monitor.claim_grace,
    )


def _site_rule(config: Config) -> SiteConfig:
    """The ``site`` section of the detectors' config; its defaults when there is no file
    (a registry-only tool run without the detector config).  A broken file raises
    :class:`detectors.base.DetectorError`, which names it."""
    from detectors.config import load_config  # detectors load catalogs lazily, not at import

    path = config.detectors_path
    if not path.exists():
        return SiteConfig()
    return load_config(path).site
