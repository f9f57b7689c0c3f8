"""Quality figures of a detector on a labelled set: counts, sweep, PR curve, calibration fit.

Pure functions over ``(score, label)`` pairs, so the same code measures a single detector
(its signals fused alone) and the whole fused verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
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


def _log_loss(data: Sequence[tuple[float, float, float]], a: float, b: float,
              ridge: float) -> float:  # fmt: skip
    total = ridge * ((a - 1.0) ** 2 + b**2)
    for z, target, weight in data:
        p = min(1 - 1e-12, max(1e-12, 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, a * z + b))))))
        total -= weight * (target * math.log(p) + (1.0 - target) * math.log(1.0 - p))
    return total


def platt_fit(
    pairs: Sequence[tuple[float, bool]], iterations: int = 100, ridge: float = 0.1
) -> tuple[float, float]:
    """Slope and intercept of ``sigmoid(a * logit(score) + b)`` fitted to the labels."""
    return platt_fit_log_odds([(_logit(s), label) for s, label in pairs], iterations, ridge)


def platt_fit_log_odds(
    rows: Sequence[tuple[float, bool]], iterations: int = 100, ridge: float = 0.1,
    weights: Sequence[float] | None = None,
) -> tuple[float, float]:  # fmt: skip
    """Slope and intercept of ``sigmoid(a * z + b)`` fitted to ``(log-odds z, label)`` rows.

    Damped Newton on the log-loss with Platt's smoothed targets and a small ridge pull towards
    the identity (a=1, b=0), so that a perfectly separated set cannot send the slope to
    infinity: with few rows the fit stays near the identity instead of overfitting. Fitted on
    the raw log-odds (not on a score already calibrated), so refitting is not a composition of
    earlier fits and the same rows always give the same values. ``weights`` (one per row,
    default 1) let each site count once however many pages it has.
    """
    weights = [1.0] * len(rows) if weights is None else list(weights)
    positives = sum(w for (_, label), w in zip(rows, weights, strict=True) if label)
    negatives = sum(weights) - positives
    if positives <= 0 or negatives <= 0:
        return 1.0, 0.0
    high, low = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    data = [(z, high if label else low, w) for (z, label), w in zip(rows, weights, strict=True)]
    a, b = 1.0, 0.0
    loss = _log_loss(data, a, b, ridge)
    for _ in range(iterations):
        g_a, g_b = 2 * ridge * (a - 1.0), 2 * ridge * b
        h_aa, h_ab, h_bb = 2 * ridge, 0.0, 2 * ridge
        for z, target, weight in data:
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, a * z + b))))
            d, w = weight * (p - target), weight * p * (1.0 - p)
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


def sigmoid(z: float) -> float:
    """The logistic function, safe for any finite or huge ``z``."""
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def brier_log_odds(
    rows: Sequence[tuple[float, bool]], slope: float = 1.0, intercept: float = 0.0,
    weights: Sequence[float] | None = None,
) -> float:  # fmt: skip
    """(Weighted) Brier score of ``sigmoid(slope * z + intercept)`` over ``(z, label)`` rows."""
    weights = [1.0] * len(rows) if weights is None else list(weights)
    total = sum(weights)
    if not rows or total <= 0:
        return 0.0
    return sum(w * (sigmoid(slope * z + intercept) - float(label)) ** 2
               for (z, label), w in zip(rows, weights, strict=True)) / total  # fmt: skip


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability table: predicted scores in ``[low, high)`` and what happened."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float

    def to_json(self) -> dict[str, float | int]:
        return {
            "low": self.low, "high": self.high, "count": self.count,
            "predicted": round(self.predicted, 4), "observed": round(self.observed, 4),
        }  # fmt: skip


def reliability(
    pairs: Sequence[tuple[float, bool]], bins: int = 5, weights: Sequence[float] | None = None
) -> list[ReliabilityBin]:
    """Mean predicted score vs observed rate of positives in ``bins`` equal-width bins.

    A calibrated score has ``predicted ~ observed`` in every populated bin; empty bins are
    listed with zero count so tables line up. ``count`` is rows; with ``weights`` the two
    means are weighted.
    """
    weights = [1.0] * len(pairs) if weights is None else list(weights)
    groups: list[list[tuple[float, bool, float]]] = [[] for _ in range(bins)]
    for (score, label), weight in zip(pairs, weights, strict=True):
        groups[min(bins - 1, max(0, int(score * bins)))].append((score, label, weight))
    table = []
    for index, group in enumerate(groups):
        total = sum(w for _, _, w in group)
        table.append(ReliabilityBin(
            round(index / bins, 4), round((index + 1) / bins, 4), len(group),
            sum(s * w for s, _, w in group) / total if total else 0.0,
            sum(w for _, label, w in group if label) / total if total else 0.0,
        ))  # fmt: skip
    return table


def reliability_lines(table: Sequence[ReliabilityBin]) -> Iterator[str]:
    """A reliability table as text: bin, count, mean predicted score, observed rate."""
    yield f"{'bin':>11} {'count':>6} {'predicted':>9} {'observed':>8}"
    for b in table:
        shown = f"{b.predicted:9.3f} {b.observed:8.3f}" if b.count else f"{'-':>9} {'-':>8}"
        yield f"{b.low:5.2f}-{b.high:<5.2f} {b.count:6d} {shown}"


def cross_fitted(
    rows: Sequence[tuple[float, bool]], folds: Sequence[int]
) -> list[tuple[float, bool]] | None:
    """``(refitted log-odds, label)`` of every row, each from a Platt fit on the OTHER folds.

    So a refit is judged only on rows it never saw. None when a fold's complement lacks
    either class (no fit is possible) or there is a single fold.
    """
    if len(set(folds)) < 2:
        return None
    out: list[tuple[float, bool]] = []
    for fold in sorted(set(folds)):
        train = [row for row, f in zip(rows, folds, strict=True) if f != fold]
        if len({label for _, label in train}) < 2:
            return None
        a, b = platt_fit_log_odds(train)
        out += [(a * z + b, label) for (z, label), f in zip(rows, folds, strict=True) if f == fold]
    return out
