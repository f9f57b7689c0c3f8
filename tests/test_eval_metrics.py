"""Precision/recall/F1, the threshold sweep, PR curves, Platt fit and the PNG plot."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

from detectors.metrics import average_precision, brier, counts, platt_fit, pr_curve, sweep
from detectors.prplot import draw_pr_curve

PAIRS = [(0.9, True), (0.8, False), (0.7, True), (0.4, True), (0.2, False), (0.1, False)]


def test_counts_and_figures_by_hand() -> None:
    c = counts(PAIRS, 0.5)
    assert (c.tp, c.fp, c.fn, c.tn) == (2, 1, 1, 2)
    assert math.isclose(c.precision, 2 / 3) and math.isclose(c.recall, 2 / 3)
    assert math.isclose(c.f1, 2 / 3)
    assert [t for t, _ in sweep(PAIRS, (0.3, 0.95))] == [0.3, 0.95]
    assert sweep(PAIRS, (0.95,))[0][1].precision == 1.0  # nothing flagged


def test_pr_curve_and_average_precision() -> None:
    points = pr_curve(PAIRS)
    assert points[0] == (1 / 3, 1.0, 0.9)
    assert points[-1][0] == 1.0
    # AP = 1*(1/3) + (2/3)*(1/3) + (3/4)*(1/3)
    assert math.isclose(average_precision(PAIRS), (1 + 2 / 3 + 3 / 4) / 3)


def test_platt_fit_moves_overconfident_scores_and_stays_finite_when_separable() -> None:
    overconfident = [(0.99, True)] * 6 + [(0.99, False)] * 4 + [(0.01, False)] * 10
    slope, intercept = platt_fit(overconfident)
    assert slope < 1.0  # 0.99 really means 60 %: the fit shrinks the log-odds
    assert brier(overconfident, slope, intercept) < brier(overconfident)
    separable = [(0.9, True)] * 5 + [(0.1, False)] * 5
    slope, intercept = platt_fit(separable)
    assert math.isfinite(slope) and 0 < slope < 10 and abs(intercept) < 10


def test_pr_plot_is_a_png(tmp_path: Path) -> None:
    path = draw_pr_curve(tmp_path / "a" / "pr.png", "title", pr_curve(PAIRS), (0.66, 0.66))
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (480, 400)
        assert len(image.getcolors(maxcolors=100_000) or []) > 3  # something was drawn
