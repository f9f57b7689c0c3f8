"""Fuse weighted signals into one verdict: score, decision, site kind, explanation.

A logistic sum (naive-Bayes style log-odds): ``z = bias + sum(w*s for evidence) -
sum(w*s for counter-evidence)`` and ``score = 1 / (1 + exp(-z))``. Weights read as log-odds, so
an analyst can say "a magnet index is worth 3.5" and counter-evidence subtracts on the same scale.
Each positive family's total is capped so that many correlated weak hits cannot outvote the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from detectors.base import COUNTER, GENERIC, SITE_KINDS, Signal, Verdict
from detectors.explain import explain


class Thresholds(BaseModel):
    """Named thresholds (spidermon style): each says what it measures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    infringing: float = Field(ge=0.0, le=1.0)
    kind_min_evidence: float = Field(default=1.0, ge=0.0)


class Calibration(BaseModel):
    """Platt scaling of the log-odds: ``score = sigmoid(slope * z + intercept)``.

    Identity by default; ``config/detectors.yaml`` ships the values ``isop calibrate`` fits
    on our labelled set and sandbox (crawler/calibration.py), so the score can be read as a
    probability on data like those, and every threshold on a score is on that scale.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    slope: float = Field(default=1.0, gt=0.0)
    intercept: float = 0.0


class FusionConfig(BaseModel):
    """The ``fusion`` section of ``config/detectors.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bias: float
    thresholds: Thresholds
    family_cap: float | None = Field(default=None, gt=0.0)
    counter_cap: float | None = Field(default=None, gt=0.0)
    overrides: dict[str, float] = Field(default_factory=dict)
    explain_top: int = Field(default=4, ge=1)
    calibration: Calibration = Field(default_factory=Calibration)


@dataclass(frozen=True)
class Contribution:
    """One signal's weighted share of the log-odds (negative for counter-evidence)."""

    signal: Signal
    value: float


class Fusion:
    """Turns signals into a :class:`Verdict` with the configured weights and thresholds."""

    def __init__(self, config: FusionConfig | Mapping[str, object]) -> None:
        self.config = config if isinstance(config, FusionConfig) else FusionConfig.model_validate(
            config
        )

    def weight(self, signal: Signal) -> float:
        """The signal's own weight unless config overrides ``detector.signal`` or ``detector``."""
        overrides = self.config.overrides
        for key in (signal.qualified_name, signal.detector):
            if key in overrides:
                return overrides[key]
        return signal.weight

    def contributions(self, signals: Iterable[Signal]) -> list[Contribution]:
        """Weighted contribution of each signal, counter-evidence negative."""
        result = []
        for signal in signals:
            value = self.weight(signal) * signal.score
            result.append(Contribution(signal, -value if signal.family == COUNTER else value))
        return result

    def family_totals(self, contributions: Iterable[Contribution]) -> dict[str, float]:
        """Summed evidence per family, each positive family capped, counter capped apart."""
        totals: dict[str, float] = {}
        for item in contributions:
            family = item.signal.family
            if family != COUNTER and family not in SITE_KINDS:
                family = GENERIC
            totals[family] = totals.get(family, 0.0) + item.value
        cap = self.config.family_cap
        for family, total in totals.items():
            if family == COUNTER:
                if self.config.counter_cap is not None:
                    totals[family] = max(total, -self.config.counter_cap)
            elif cap is not None:
                totals[family] = min(total, cap)
        return totals

    def kind(self, totals: Mapping[str, float]) -> str | None:
        """The site kind whose evidence dominates, if it reaches ``kind_min_evidence``."""
        best = max(SITE_KINDS, key=lambda family: totals.get(family, 0.0))
        if totals.get(best, 0.0) >= self.config.thresholds.kind_min_evidence:
            return best
        return None

    def log_odds(self, signals: Iterable[Signal]) -> float:
        """The raw (uncalibrated) log-odds of these signals: bias plus capped family totals."""
        return self.config.bias + sum(self.family_totals(self.contributions(signals)).values())

    def calibrated(self, log_odds: float) -> float:
        """The score of raw ``log_odds`` on the calibrated scale (a probability)."""
        logit = self.config.calibration.slope * log_odds + self.config.calibration.intercept
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))

    def fuse(self, signals: Iterable[Signal]) -> Verdict:
        """The verdict for these signals."""
        contributions = self.contributions(signals)
        totals = self.family_totals(contributions)
        raw = self.config.bias + sum(totals.values())
        score = self.calibrated(raw)
        infringing = score >= self.config.thresholds.infringing
        kind = self.kind(totals) if infringing else None
        ordered = sorted(contributions, key=lambda item: -abs(item.value))
        explanation = explain(
            [(item.signal, item.value) for item in ordered],
            score=score,
            infringing=infringing,
            kind=kind,
            threshold=self.config.thresholds.infringing,
            totals=totals,
            top=self.config.explain_top,
            log_odds=raw,
        )
        return Verdict(
            score=score,
            infringing=infringing,
            kind=kind,
            signals=tuple(item.signal for item in ordered),
            explanation=explanation,
        )
