"""Quality figures of a detector on a labelled set: counts, sweep, PR curve, calibration fit.

Pure functions over ``(score, label)`` pairs, so the same code measures a single detector
(its signals fused alone) and the whole fused verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """Confusion counts at one threshold, and the figures derived from them."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        relevant = self.tp + self.fn
        return self.tp / relevant if relevant else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {
            "tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }  # fmt: skip


def counts(pairs: Sequence[tuple[float, bool]], threshold: float) -> Counts:
    """Counts when a score at or above ``threshold`` flags."""
    tp = sum(1 for score, label in pairs if label and score >= threshold)
    fp = sum(1 for score, label in pairs if not label and score >= threshold)
    fn = sum(1 for score, label in pairs if label and score < threshold)
    return Counts(tp, fp, len(pairs) - tp - fp - fn, fn)


def sweep(
    pairs: Sequence[tuple[float, bool]], thresholds: Sequence[float]
) -> list[tuple[float, Counts]]:
    """Counts at each threshold."""
    return [(threshold, counts(pairs, threshold)) for threshold in thresholds]


def pr_curve(pairs: Sequence[tuple[float, bool]]) -> list[tuple[float, float, float]]:
    """(recall, precision, threshold) at every distinct score, highest threshold first."""
    points = []
    for threshold in sorted({score for score, _ in pairs}, reverse=True):
        c = counts(pairs, threshold)
        points.append((c.recall, c.precision, threshold))
    return points


def average_precision(pairs: Sequence[tuple[float, bool]]) -> float:
    """Area under the step PR curve (sum of precision x recall gained)."""
    area, last_recall = 0.0, 0.0
    for recall, precision, _ in pr_curve(pairs):
        area += precision * max(0.0, recall - last_recall)
        last_recall = recall
    return area


def _logit(score: float) -> float:
    score = min(1.0 - 1e-6, max(1e-6, score))
    return math.log(score / (1.0 - score))


def _log_loss(data: Sequence[tuple[float, float]], a: float, b: float, ridge: float) -> float:
    total = ridge * ((a - 1.0) ** 2 + b**2)
    for z, target in data:
        p = min(1 - 1e-12, max(1e-12, 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, a * z + b))))))
        total -= target * math.log(p) + (1.0 - target) * math.log(1.0 - p)
    return total


def platt_fit(
    pairs: Sequence[tuple[float, bool]], iterations: int = 100, ridge: float = 0.1
) -> tuple[float, float]:
    """Slope and intercept of ``sigmoid(a * logit(score) + b)`` fitted to the labels.

    Damped Newton on the log-loss with Platt's smoothed targets and a small ridge pull towards
    the identity (a=1, b=0), so that a perfectly separated set cannot send the slope to
    infinity: with few rows the fit stays near the identity instead of overfitting.
    """
    positives = sum(1 for _, label in pairs if label)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return 1.0, 0.0
    high, low = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    data = [(_logit(score), high if label else low) for score, label in pairs]
    a, b = 1.0, 0.0
    loss = _log_loss(data, a, b, ridge)
    for _ in range(iterations):
        g_a, g_b = 2 * ridge * (a - 1.0), 2 * ridge * b
        h_aa, h_ab, h_bb = 2 * ridge, 0.0, 2 * ridge
        for z, target in data:
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, a * z + b))))
            d, w = p - target, p * (1.0 - p)
            g_a, g_b = g_a + d * z, g_b + d
            h_aa, h_ab, h_bb = h_aa + w * z * z, h_ab + w * z, h_bb + w
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 1e-12:
            break
        step_a = (h_bb * g_a - h_ab * g_b) / det
        step_b = (h_aa * g_b - h_ab * g_a) / det
        scale = 1.0
        while scale > 1e-4:
            trial = _log_loss(data, a - scale * step_a, b - scale * step_b, ridge)
            if trial <= loss:
                break
            scale /= 2
        else:
            break
        a, b, loss = a - scale * step_a, b - scale * step_b, trial
        if scale * (abs(step_a) + abs(step_b)) < 1e-9:
            break
    return max(a, 1e-3), b


def brier(pairs: Sequence[tuple[float, bool]], slope: float = 1.0, intercept: float = 0.0) -> float:
    """Mean squared error of the (re-calibrated) scores as probabilities."""
    if not pairs:
        return 0.0
    total = 0.0
    for score, label in pairs:
        z = slope * _logit(score) + intercept
        p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
        total += (p - (1.0 if label else 0.0)) ** 2
    return total / len(pairs)
