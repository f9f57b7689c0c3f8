"""Fit the fused score's Platt calibration on data we own, and judge it on rows it never saw.

The rows are page verdicts with a truth: the labelled set (``LABELS.csv``; its ``split``
column says ``tune`` -> fit, ``holdout`` -> judge) and the sandbox web of one seed (every page,
document, playlist, panel and .torrent it serves, labelled by its registered domain's ground
truth; sites are split by a hash of their name, so a site's mirrors and former domains fall on
the same side and nothing of a judged site was seen by the fit). The truth is per site, so each
site weighs 1 whatever its page count (its pages share that weight): else an index site's
hundred .torrent files would outvote everything else. The fit is
:func:`detectors.metrics.platt_fit_log_odds` on the raw log-odds of the fit rows; the report
compares (site-weighted) Brier scores and reliability tables of the identity, the configured
calibration and the new fit on the held-out rows only. The sandbox seed is not the demo's
(seed 1), so the demo stays a check of the shipped values rather than of the data they were
fitted on.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.domains import registered_domain
from crawler.label_eval import LabelRow, run_labelled_eval
from detectors.base import Verdict
from detectors.inputs import InputError, sniff_kind, to_content
from detectors.metrics import (
    ReliabilityBin,
    brier_log_odds,
    counts,
    platt_fit_log_odds,
    reliability,
    reliability_lines,
    sigmoid,
)
from detectors.pipeline import DetectionPipeline
from detectors.site import CANDIDATE, CONFIRMED, SiteConfig, site_status

FIT, HOLDOUT = "fit", "holdout"
SANDBOX_SEED = 2
HOLDOUT_EVERY = 3  # one site in three (by name hash) is held out
DIGITS = 3  # the shipped slope and intercept are rounded to this many decimals
_SPLITS = {"tune": FIT, "fit": FIT, "train": FIT, "holdout": HOLDOUT, "test": HOLDOUT}


@dataclass(frozen=True)
class CalibrationRow:
    """One judged page: where it came from, its raw log-odds, its truth, which side."""

    source: str
    site: str
    name: str
    log_odds: float
    label: bool
    part: str


def _part_of(key: str) -> str:
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return HOLDOUT if digest % HOLDOUT_EVERY == 0 else FIT


def labelled_rows(
    rows: Sequence[LabelRow], pipeline: DetectionPipeline,
    warn: Callable[[str, str], None] | None = None,
) -> list[CalibrationRow]:  # fmt: skip
    """The labelled set judged; a row's ``split`` column picks its side (hash of the target
    when it has none, or an unknown one)."""
    report = run_labelled_eval(list(rows), pipeline, None, warn=warn)
    return [
        CalibrationRow("labels", j.row.target, Path(j.row.target).name, j.log_odds, j.row.label,
                       _SPLITS.get((j.row.split or "").lower()) or _part_of(j.row.target))
        for j in report.judged
    ]  # fmt: skip


def sandbox_pages(seed: int) -> Iterator[tuple[str, str, bytes, str, bool]]:
    """``(site, url, body, content_type, infringing)`` of every judged resource of the
    sandbox web of ``seed`` (images, scripts, media and plain text are skipped)."""
    from crawler.sandbox import build_web

    web = build_web(seed=seed)
    truth = {entry.domain: entry for entry in web.truth()}
    for url in web.urls():
        resource = web.resource(url)
        entry = truth.get(registered_domain(url))
        if resource is None or entry is None:
            continue
        yield entry.site, url, resource.data(), resource.content_type, entry.infringing


def sandbox_verdicts(
    seed: int, pipeline: DetectionPipeline
) -> Iterator[tuple[str, str, bool, Verdict]]:
    """``(site, url, infringing, verdict)`` of the sandbox's pages, documents, playlists,
    panels and .torrent files (what a crawl judges), each with its site's truth."""
    for site, url, body, ctype, infringing in sandbox_pages(seed):
        kind = sniff_kind(body, url, ctype)
        if kind == "image" or (kind == "html" and not ctype.startswith("text/html")):
            continue
        try:
            content = to_content(url, body, kind, ctype)
        except InputError:
            continue
        yield site, url, infringing, pipeline.evaluate(content)


def sandbox_rows(
    verdicts: Iterable[tuple[str, str, bool, Verdict]], pipeline: DetectionPipeline
) -> list[CalibrationRow]:
    """Rows of :func:`sandbox_verdicts`, each page labelled by its site's truth."""
    return [
        CalibrationRow("sandbox", site, url, pipeline.fusion.log_odds(verdict.signals),
                       infringing, _part_of(site))
        for site, url, infringing, verdict in verdicts
    ]  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A calibration (slope, intercept) judged on the held-out rows."""

    name: str
    slope: float
    intercept: float
    brier: float
    table: list[ReliabilityBin]

    def to_json(self) -> dict[str, Any]:
        return {"slope": self.slope, "intercept": self.intercept, "brier": round(self.brier, 5),
                "reliability": [b.to_json() for b in self.table]}  # fmt: skip


@dataclass
class CalibrationReport:
    """The fit, and how the identity, the configured and the fitted calibrations fare."""

    rows: list[CalibrationRow]
    slope: float
    intercept: float
    candidates: list[Candidate]
    threshold: float
    bins: int = 5
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    rule: SiteConfig = field(default_factory=SiteConfig)

    def site_statuses(self) -> dict[str, tuple[bool, str]]:
        """Held-out sandbox domain -> (truth, status by the site rule) with the fitted scale
        and the configured thresholds: what a coordinator would be told after this refit."""
        fitted = next(c for c in self.candidates if c.name == "fitted")
        pages: dict[str, tuple[bool, list[float]]] = {}
        for row in self.holdout:
            if row.source != "sandbox":
                continue
            _, flagged = pages.setdefault(registered_domain(row.name), (row.label, []))
            score = sigmoid(fitted.slope * row.log_odds + fitted.intercept)
            if score >= self.threshold:
                flagged.append(score)
        return {d: (truth, site_status(f, self.rule)) for d, (truth, f) in pages.items()}

    @property
    def holdout(self) -> list[CalibrationRow]:
        return [row for row in self.rows if row.part == HOLDOUT]

    def lines(self) -> Iterator[str]:
        for source, parts in sorted(self.sources.items()):
            yield (f"{source}: {parts.get(FIT, 0)} rows fitted on, {parts.get(HOLDOUT, 0)} held "
                   "out")  # fmt: skip
        yield (f"fitted (Platt on raw log-odds, fit rows only): slope {self.slope:.{DIGITS}f} "
               f"intercept {self.intercept:.{DIGITS}f}")  # fmt: skip
        yield ""
        sites = len({(r.source, r.site) for r in self.holdout})
        yield (f"held-out rows: {len(self.holdout)} of {sites} sites, never seen by the fit "
               "(Brier and reliability weigh each site 1)")  # fmt: skip
        yield f"{'calibration':<12} {'slope':>7} {'intercept':>9} {'Brier':>8}"
        for c in self.candidates:
            yield f"{c.name:<12} {c.slope:7.3f} {c.intercept:9.3f} {c.brier:8.5f}"
        for c in self.candidates:
            yield ""
            yield f"reliability on held-out rows, {c.name}"
            yield from reliability_lines(c.table)
        fitted = next(c for c in self.candidates if c.name == "fitted")
        holdout = [(sigmoid(fitted.slope * r.log_odds + fitted.intercept), r.label)
                   for r in self.holdout]  # fmt: skip
        n = counts(holdout, self.threshold)
        raw = raw_threshold(self.threshold, fitted.slope, fitted.intercept)
        yield ""
        yield from self._site_lines()
        yield (f"configured flag threshold {self.threshold:.2f} on the fitted scale = raw "
               f"log-odds {raw:+.2f}; held-out pages: precision {n.precision:.3f} recall "
               f"{n.recall:.3f} (tp {n.tp} fp {n.fp} fn {n.fn} tn {n.tn}, unweighted; a page "
               "has its site's label, so a pirate site's about page counts as missed)")  # fmt: skip

    def _site_lines(self) -> Iterator[str]:
        statuses = self.site_statuses()
        if not statuses:
            return
        pirate = [s for truth, s in statuses.values() if truth]
        legit = [s for truth, s in statuses.values() if not truth]
        yield (f"held-out sandbox domains with the fitted scale, flag {self.threshold:.2f} and "
               f"confirm {self.rule.confirm_score:.2f}: pirate {len(pirate)} (confirmed "
               f"{pirate.count(CONFIRMED)}, candidate {pirate.count(CANDIDATE)}), look-alike "
               f"{len(legit)} (confirmed {legit.count(CONFIRMED)}, candidate "
               f"{legit.count(CANDIDATE)})")  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "sites": {d: {"infringing": t, "status": s}
                      for d, (t, s) in sorted(self.site_statuses().items())},
            "slope": self.slope, "intercept": self.intercept, "threshold": self.threshold,
            "sources": self.sources, "holdout_rows": len(self.holdout),
            "candidates": {c.name: c.to_json() for c in self.candidates},
        }  # fmt: skip


def raw_threshold(threshold: float, slope: float, intercept: float) -> float:
    """The raw log-odds at which a calibrated score reaches ``threshold``."""
    clipped = min(1.0 - 1e-9, max(1e-9, threshold))
    return (math.log(clipped / (1.0 - clipped)) - intercept) / slope


def fit(rows: list[CalibrationRow], configured: tuple[float, float], threshold: float,
        bins: int = 5, rule: SiteConfig | None = None) -> CalibrationReport:  # fmt: skip
    """Fit on the ``fit`` rows; judge identity, configured and fitted on the held-out rows."""
    pages = Counter((r.source, r.site) for r in rows)
    weight = [1.0 / pages[(r.source, r.site)] for r in rows]
    train = [(r.log_odds, r.label) for r in rows if r.part == FIT]
    train_w = [w for r, w in zip(rows, weight, strict=True) if r.part == FIT]
    test = [(r.log_odds, r.label) for r in rows if r.part == HOLDOUT]
    test_w = [w for r, w in zip(rows, weight, strict=True) if r.part == HOLDOUT]
    slope, intercept = (round(v, DIGITS) for v in platt_fit_log_odds(train, weights=train_w))
    candidates = [
        Candidate(name, a, b, brier_log_odds(test, a, b, test_w),
                  reliability([(sigmoid(a * z + b), label) for z, label in test], bins, test_w))
        for name, (a, b) in (("identity", (1.0, 0.0)), ("configured", configured),
                             ("fitted", (slope, intercept)))
    ]  # fmt: skip
    sources: dict[str, dict[str, int]] = {}
    for row in rows:
        parts = sources.setdefault(row.source, {})
        parts[row.part] = parts.get(row.part, 0) + 1
    return CalibrationReport(rows, slope, intercept, candidates, threshold, bins, sources,
                             rule or SiteConfig())  # fmt: skip


_LINE = re.compile(r"^(  calibration:[ \t]*)\{[^}\n]*\}", re.MULTILINE)


def write_calibration(path: Path, slope: float, intercept: float) -> None:
    """Replace the ``fusion.calibration`` line of ``path`` in place (comments kept)."""
    text = path.read_text(encoding="utf-8")
    new, found = _LINE.subn(
        lambda m: f"{m.group(1)}{{slope: {slope:.{DIGITS}f}, intercept: {intercept:.{DIGITS}f}}}",
        text,
    )
    if found != 1:
        raise ValueError(f"{path}: expected one '  calibration: {{slope: .., intercept: ..}}' "
                         f"line in the fusion section, found {found}")  # fmt: skip
    path.write_text(new, encoding="utf-8")
