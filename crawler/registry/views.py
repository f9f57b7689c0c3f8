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


@dataclass(frozen=True)
class DomainView:
    """One domain of a site, how it was linked and, where the linking step kept them, proofs."""

    domain: str
    role: str
    how_linked: str
    first_seen: datetime
    last_seen: datetime
    proofs: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "role": self.role,
            "how_linked": self.how_linked,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "proofs": self.proofs,
        }


@dataclass(frozen=True)
class CheckView:
    """One liveness check by the monitor."""

    domain: str
    url: str
    at: datetime
    outcome: str | None
    http_status: int | None
    redirect_chain: list[str]
    response_ms: float | None
    error: str | None
    fingerprint_changed: bool | None

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "url": self.url,
            "at": self.at.isoformat(),
            "outcome": self.outcome,
            "http_status": self.http_status,
            "redirect_chain": list(self.redirect_chain),
            "response_ms": self.response_ms,
            "error": self.error,
            "fingerprint_changed": self.fingerprint_changed,
        }


@dataclass(frozen=True)
class EventView:
    """A status change, an analyst verdict or an analyst note."""

    kind: str
    old: str | None
    new: str | None
    actor: str
    text: str | None
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "actor": self.actor,
            "text": self.text,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True)
class SiteHistory:
    """Everything ``isop sites show`` prints about one site."""

    site: SiteView
    verdict: str | None
    operator_cluster: str | None
    next_check_at: datetime | None
    domains: list[DomainView]
    scores: list[tuple[datetime, float]]
    checks: list[CheckView]
    events: list[EventView]
    evidence: list[EvidenceView]
    # Other sites of the operator cluster: {"site", "shared": [[kind, value], ...]}.
    cluster: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.site.to_json(),
            "verdict": self.verdict,
            "operator_cluster": self.operator_cluster,
            "cluster_sites": self.cluster,
            "next_check_at": self.next_check_at.isoformat() if self.next_check_at else None,
            "domain_links": [d.to_json() for d in self.domains],
            "score_history": [{"at": at.isoformat(), "score": s} for at, s in self.scores],
            "checks": [c.to_json() for c in self.checks],
            "events": [e.to_json() for e in self.events],
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class AnalystLabel:
    """An analyst's latest verdict on a site: ground truth for detector evaluation."""

    site_id: int
    label: str  # "confirmed" (infringing) or "false_positive"
    domains: list[str]  # primary first
    analyst: str
    at: datetime
    note: str | None
