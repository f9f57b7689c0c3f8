"""From page verdicts to a site verdict: one ambiguous page does not make a pirate site.

A site is judged on all its pages seen so far. It is **confirmed** when one page is flagged
with a high score (``confirm_score``) or at least ``confirm_pages`` pages are flagged; a site
with flagged pages short of that is a **candidate** (watch it, do not alert); otherwise it is
**clean**. The score is the noisy-OR of the flagged pages' scores (independent pieces of
evidence each leave less doubt); the kind is the one its flagged pages' scores vote for. The
verdict keeps the signals that moved it, each with the page it came from.

Page scores are calibrated (``fusion.calibration``), so ``confirm_score`` is a probability on
that scale too: the shipped 0.9 is raw log-odds 1.25 with the shipped calibration. The class
default (0.8) belongs with the identity calibration that is the code's own default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detectors.base import COUNTER, SITE_KINDS, Signal, Verdict

CONFIRMED, CANDIDATE, CLEAN = "confirmed", "candidate", "clean"


class SiteConfig(BaseModel):
    """The ``site`` section of ``config/detectors.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confirm_score: float = Field(default=0.8, ge=0.0, le=1.0)
    confirm_pages: int = Field(default=2, ge=1)
    evidence_top: int = Field(default=6, ge=1)


@dataclass(frozen=True)
class PageEvidence:
    """A signal as it moved a site verdict, with the page it was found on."""

    url: str
    signal: Signal
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, **self.signal.to_dict(), "contribution": self.contribution}


@dataclass(frozen=True)
class SiteVerdict:
    """The judgement of one site (registered domain) over its pages."""

    domain: str
    status: str
    score: float
    kind: str | None
    pages: int
    flagged_pages: int
    evidence: tuple[PageEvidence, ...]
    explanation: str

    @property
    def flagged(self) -> bool:
        return self.status == CONFIRMED

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "status": self.status,
            "flagged": self.flagged,
            "score": round(self.score, 4),
            "kind": self.kind,
            "pages": self.pages,
            "flagged_pages": self.flagged_pages,
            "evidence": [item.to_dict() for item in self.evidence],
            "explanation": self.explanation,
        }


def fuse_site(
    domain: str, pages: Sequence[tuple[str, Verdict]], config: SiteConfig | None = None
) -> SiteVerdict:
    """The site verdict of ``domain`` from its pages' ``(url, verdict)``."""
    config = config or SiteConfig()
    flagged = [(url, verdict) for url, verdict in pages if verdict.infringing]
    doubt = 1.0
    votes: dict[str, float] = {}
    for _, verdict in flagged:
        doubt *= 1.0 - verdict.score
        if verdict.kind is not None:
            votes[verdict.kind] = votes.get(verdict.kind, 0.0) + verdict.score
    strong = [url for url, verdict in flagged if verdict.score >= config.confirm_score]
    status = site_status([verdict.score for _, verdict in flagged], config)
    score = 1.0 - doubt if flagged else max((v.score for _, v in pages), default=0.0)
    kind = max(SITE_KINDS, key=lambda k: votes.get(k, 0.0)) if votes else None
    evidence = _evidence(flagged or list(pages), config.evidence_top)
    return SiteVerdict(
        domain=domain,
        status=status,
        score=min(1.0, max(0.0, score)),
        kind=kind if status != CLEAN else None,
        pages=len(pages),
        flagged_pages=len(flagged),
        evidence=evidence,
        explanation=_explain(domain, status, score, kind, len(pages), flagged, strong, config),
    )


def site_status(flagged_scores: Sequence[float], config: SiteConfig | None = None) -> str:
    """The rule alone: confirmed, candidate or clean from the scores of a site's flagged
    pages (one per page).  The registry applies it to the pages it holds evidence of."""
    config = config or SiteConfig()
    if any(score >= config.confirm_score for score in flagged_scores):
        return CONFIRMED
    if len(flagged_scores) >= config.confirm_pages:
        return CONFIRMED
    return CANDIDATE if flagged_scores else CLEAN


def _evidence(pages: Sequence[tuple[str, Verdict]], top: int) -> tuple[PageEvidence, ...]:
    """The strongest signals across pages (one per signal name, its best page)."""
    best: dict[str, PageEvidence] = {}
    for url, verdict in pages:
        for signal in verdict.signals:
            value = signal.weight * signal.score * (-1.0 if signal.family == COUNTER else 1.0)
            known = best.get(signal.qualified_name)
            if known is None or abs(value) > abs(known.contribution):
                best[signal.qualified_name] = PageEvidence(url, signal, round(value, 4))
    ordered = sorted(best.values(), key=lambda item: -abs(item.contribution))
    return tuple(ordered[:top])


def _explain(
    domain: str, status: str, score: float, kind: str | None, pages: int,
    flagged: Sequence[tuple[str, Verdict]], strong: Sequence[str], config: SiteConfig,
) -> str:  # fmt: skip
    if status == CONFIRMED:
        why = (f"{len(strong)} page(s) scored at or above {config.confirm_score:.2f}"
               if strong else f"{len(flagged)} pages were flagged")  # fmt: skip
        return f"{domain} is a confirmed {kind or 'infringing'} site ({score:.2f}): {why}."
    if status == CANDIDATE:
        return (
            f"{domain} is a candidate ({score:.2f}): {len(flagged)} of {pages} page(s) flagged, "
            f"none at {config.confirm_score:.2f}; {config.confirm_pages} flagged pages or one "
            "strong page would confirm it."
        )
    return f"{domain} is clean: none of its {pages} page(s) was flagged."
