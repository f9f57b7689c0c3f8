"""What the registry decides on its own: when a candidate is confirmed, when a site is due.

Thresholds are data (``config/defaults.yaml``, sections ``registry`` and ``monitor``); this
is their typed, validated form handed to :class:`crawler.registry.Registry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from crawler.config import Config
from crawler.registry.vocab import SITE_STATUSES

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

    confirm_score: float = 0.7
    revisit_s: Mapping[str, float] = field(default_factory=lambda: DEFAULT_REVISIT_S)
    down_after_failures: int = 2
    # How long a monitor's claim on a scheduled check outlives its due time before another
    # monitor may schedule the site again (its request was lost with a dead Redis, say).
    claim_grace_s: float = 900

    def __post_init__(self) -> None:
        if not 0.0 <= self.confirm_score <= 1.0:
            raise ValueError(f"confirm_score must be within [0, 1], got {self.confirm_score}")
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
    def monitored_statuses(self) -> frozenset[str]:
        return frozenset(self.revisit_s)


def policy_from(config: Config) -> Policy:
    """The policy the typed config describes (``registry`` and ``monitor`` sections)."""
    return Policy(
        confirm_score=config.registry.confirm_score,
        revisit_s=MappingProxyType(dict(config.monitor.revisit)),
        down_after_failures=config.monitor.down_after_failures,
        claim_grace_s=config.monitor.claim_grace,
    )
