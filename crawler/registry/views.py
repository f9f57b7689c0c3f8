"""Read-only snapshots handed to callers, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SiteView:
    """A site as the CLI and the API show it."""

    id: int
    label: str
    domains: list[str]  # registered domains, primary first
    kind: str | None
    status: str
    score: float
    first_seen: datetime
    last_seen: datetime
    evidence_count: int

    def to_json(self) -> dict[str, Any]:
        """The stable contract of ``isop sites --json``: add keys, never rename or drop."""
        return {
            "site": self.label,
            "domains": list(self.domains),
            "kind": self.kind,
            "status": self.status,
            "score": self.score,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
        }


@dataclass(frozen=True)
class EvidenceView:
    """One stored piece of evidence: which page, when, what it hashed to and why it scored."""

    id: int
    site_id: int
    url: str
    score: float
    kind: str | None
    explanation: str
    signals: list[dict[str, Any]]
    content_sha256: str
    captured_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "score": self.score,
            "kind": self.kind,
            "explanation": self.explanation,
            "signals": self.signals,
            "content_sha256": self.content_sha256,
            "captured_at": self.captured_at.isoformat(),
        }
