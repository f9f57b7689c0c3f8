"""The pure parts of calibration: weighted Platt fit, Brier, reliability table, cross-fitting."""

from __future__ import annotations

import math

import pytest

from detectors.metrics import (
    brier_log_odds,
    cross_fitted,
    platt_fit_log_odds,
    reliability,
    reliability_lines,
    sigmoid,
)

# Overlapping classes (not separable), so the fit has a finite optimum away from the identity.
ROWS = [(-3.0, False), (-2.0, False), (-1.5, True), (-1.0, False), (-0.5, False), (0.0, True),
        (0.5, False), (1.0, True), (2.0, True), (3.0, True), (-2.5, False),
        (1.5, True)]  # fmt: skip


def test_fit_is_deterministic_and_weights_count_like_copies() -> None:
    first = platt_fit_log_odds(ROWS)
    assert first == platt_fit_log_odds(list(ROWS))
    # One row of weight 3 is the same evidence as three copies of weight 1 each.
    copies = [*ROWS, ROWS[2], ROWS[2]]
    weighted = platt_fit_log_odds(ROWS, weights=[3.0 if i == 2 else 1.0 for i in range(len(ROWS))])
    assert weighted == pytest.approx(platt_fit_log_odds(copies), abs=1e-6)
    assert weighted != pytest.approx(first, abs=1e-3)


def test_fit_lowers_the_log_loss_it_minimises_and_shifts_a_biased_scale() -> None:
    shifted = [(z - 2.0, label) for z, label in ROWS]  # the same evidence read 2 too low
    slope, intercept = platt_fit_log_odds(shifted, ridge=0.0)
    assert intercept > 1.0  # the fit moves the scale back up
    assert brier_log_odds(shifted, slope, intercept) < brier_log_odds(shifted)


def test_one_class_gives_the_identity() -> None:
    assert platt_fit_log_odds([(1.0, True), (2.0, True)]) == (1.0, 0.0)


def test_weighted_brier() -> None:
    rows = [(0.0, True), (0.0, False)]
    assert brier_log_odds(rows) == pytest.approx(0.25)
    assert brier_log_odds([(50.0, True), (-50.0, True)], weights=[3.0, 1.0]) == pytest.approx(0.25)
    assert brier_log_odds([]) == 0.0


def test_reliability_table_bins_means_and_rates() -> None:
    pairs = [(0.05, False), (0.15, True), (0.5, True), (0.55, False), (0.95, True), (1.0, True)]
    table = reliability(pairs, bins=5)
    assert [(b.low, b.high, b.count) for b in table] == [
        (0.0, 0.2, 2), (0.2, 0.4, 0), (0.4, 0.6, 2), (0.6, 0.8, 0), (0.8, 1.0, 2),
    ]  # fmt: skip
    assert table[0].predicted == pytest.approx(0.10) and table[0].observed == 0.5
    assert table[2].predicted == pytest.approx(0.525) and table[2].observed == 0.5
    assert table[4].observed == 1.0  # a score of exactly 1.0 lands in the top bin
    weighted = reliability(pairs, bins=5, weights=[3.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert weighted[0].observed == pytest.approx(0.25)
    lines = list(reliability_lines(table))
    assert len(lines) == 6 and " 0.20-0.40       0         -        -" in lines


def test_cross_fitted_judges_each_row_with_a_fit_that_did_not_see_it() -> None:
    folds = [i % 2 for i in range(len(ROWS))]
    out = cross_fitted(ROWS, folds)
    assert out is not None and len(out) == len(ROWS)
    a0, b0 = platt_fit_log_odds([r for r, f in zip(ROWS, folds, strict=True) if f == 1])
    first_fold = [r for r, f in zip(ROWS, folds, strict=True) if f == 0]
    assert out[: len(first_fold)] == [(a0 * z + b0, label) for z, label in first_fold]
    assert cross_fitted(ROWS, [0] * len(ROWS)) is None  # one fold: nothing held out
    assert cross_fitted([(1.0, True), (2.0, True), (-1.0, False)], [0, 0, 1]) is None
    assert math.isclose(sigmoid(0.0), 0.5) and sigmoid(1e9) == 1.0
