"""``isop eval LABELS.csv``: how good is each detector, and the fused verdict, on labelled data.

LABELS.csv has the columns ``target,url,label,kind`` (extra columns such as ``split`` are
allowed): ``target`` is a file (relative to the CSV) or an http(s) URL, ``url`` where the
file was fetched from (may be empty), ``label`` 1/0 (or infringing/legit, true/false),
``kind`` index/streaming/iptv for positives. Each detector is scored on its own signals fused
alone (what it would decide by itself); the fused row is the real verdict.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.targets import TargetError, read_target
from detectors.base import COUNTER, SITE_KINDS, Verdict
from detectors.metrics import (
    Counts,
    average_precision,
    brier_log_odds,
    counts,
    cross_fitted,
    pr_curve,
    reliability,
    reliability_lines,
    sweep,
)
from detectors.pipeline import DetectionPipeline
from detectors.prplot import draw_pr_curve

FUSED = "fused"
_TRUE = {"1", "true", "yes", "infringing", "positive", "pirate"}
_FALSE = {"0", "false", "no", "legit", "legitimate", "negative", "clean"}
SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
RELIABILITY_BINS = 5


class LabelsError(Exception):
    """The labels file is missing or malformed (one line naming the file, row and cause)."""


@dataclass(frozen=True)
class LabelRow:
    target: str
    url: str | None
    label: bool
    kind: str | None
    line: int
    split: str | None = None


def load_labels(path: Path, split: str | None = None) -> list[LabelRow]:
    """Rows of a LABELS.csv (targets resolved against its folder), optionally one split."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LabelsError(f"{path}: {exc.strerror or exc}") from exc
    reader = csv.DictReader(text.splitlines())
    missing = {"target", "url", "label", "kind"} - set(reader.fieldnames or ())
    if missing:
        raise LabelsError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        if split is not None and (raw.get("split") or "").strip() != split:
            continue
        label = (raw["label"] or "").strip().lower()
        if label not in _TRUE | _FALSE:
            raise LabelsError(f"{path}:{line}: label {raw['label']!r} is not 1/0")
        kind = (raw["kind"] or "").strip().lower() or None
        if kind is not None and kind not in SITE_KINDS:
            raise LabelsError(f"{path}:{line}: kind {kind!r} is not one of {', '.join(SITE_KINDS)}")
        target = (raw["target"] or "").strip()
        if not target:
            raise LabelsError(f"{path}:{line}: empty target")
        if not target.startswith(("http://", "https://")):
            target = str(path.parent / target)
        url = (raw["url"] or "").strip() or None
        row_split = (raw.get("split") or "").strip() or None
        rows.append(LabelRow(target, url, label in _TRUE, kind, line, row_split))
    if not rows:
        raise LabelsError(f"{path}: no rows" + (f" in split {split!r}" if split else ""))
    return rows


@dataclass
class Judged:
    row: LabelRow
    verdict: Verdict
    alone: dict[str, float]
    log_odds: float  # raw, before calibration: what a refit is fitted on


@dataclass
class LabelledReport:
    """Everything ``isop eval`` prints and writes."""

    judged: list[Judged]
    detectors: list[str]
    threshold: float
    calibration: tuple[float, float] = (1.0, 0.0)
    plots: dict[str, Path] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def pairs(self, name: str) -> list[tuple[float, bool]]:
        if name == FUSED:
            return [(j.verdict.score, j.row.label) for j in self.judged]
        return [(j.alone.get(name, 0.0), j.row.label) for j in self.judged]

    def per_detector(self) -> dict[str, tuple[Counts, float]]:
        return {
            name: (counts(self.pairs(name), self.threshold), average_precision(self.pairs(name)))
            for name in [*self.detectors, FUSED]
        }

    def confusion(self) -> Counter[tuple[str, str]]:
        table: Counter[tuple[str, str]] = Counter()
        for j in self.judged:
            truth = (j.row.kind or "unknown") if j.row.label else "legitimate"
            said = (j.verdict.kind or "no kind") if j.verdict.infringing else "clean"
            table[(truth, said)] += 1
        return table

    def misclassified(self) -> list[Judged]:
        wrong = [j for j in self.judged if j.verdict.infringing != j.row.label]
        kind_wrong = [
            j for j in self.judged
            if j.row.label and j.verdict.infringing and j.row.kind
            and j.verdict.kind != j.row.kind
        ]  # fmt: skip
        return wrong + kind_wrong

    def lines(self) -> Iterator[str]:
        positives = sum(1 for j in self.judged if j.row.label)
        negatives = len(self.judged) - positives
        yield (f"{len(self.judged)} targets ({positives} infringing, {negatives} legitimate), "
               f"threshold {self.threshold:.2f}")  # fmt: skip
        yield ""
        yield f"{'detector':<18} {'prec':>6} {'recall':>6} {'F1':>6} {'AP':>6}   tp  fp  fn  tn"
        for name, (c, ap) in self.per_detector().items():
            yield (f"{name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {ap:6.3f} "
                   f"{c.tp:4d}{c.fp:4d}{c.fn:4d}{c.tn:4d}")  # fmt: skip
        yield "(each detector alone: its own signals fused with the bias and threshold;"
        yield " counter-evidence detectors never flag alone, their worth shows in the fused row)"
        yield ""
        columns = [*SITE_KINDS, "no kind", "clean"]
        yield "confusion by kind (rows: truth, columns: verdict)"
        yield f"{'':<12}" + "".join(f"{c:>10}" for c in columns)
        table = self.confusion()
        for truth in [*SITE_KINDS, "unknown", "legitimate"]:
            if any(table[(truth, c)] for c in columns):
                yield f"{truth:<12}" + "".join(f"{table[(truth, c)]:>10}" for c in columns)
        yield ""
        yield "threshold sweep (fused)"
        yield f"{'threshold':>9} {'prec':>6} {'recall':>6} {'F1':>6}   tp  fp  fn"
        for threshold, c in sweep(self.pairs(FUSED), SWEEP):
            yield (f"{threshold:9.2f} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
                   f"{c.tp:4d}{c.fp:4d}{c.fn:4d}")  # fmt: skip
        yield ""
        wrong = self.misclassified()
        yield f"misclassified: {len(wrong)}"
        for j in wrong:
            what = ("missed" if j.row.label and not j.verdict.infringing else
                    "false positive" if not j.row.label else
                    f"kind {j.verdict.kind}, truth {j.row.kind}")  # fmt: skip
            yield f"  {what}: {j.row.target} (score {j.verdict.score:.2f})"
            for signal in j.verdict.signals[:3]:
                sign = "-" if signal.family == COUNTER else "+"
                quote = signal.evidence[:120]
                yield f"      {sign} {signal.qualified_name} {signal.score:.2f}: {quote}"
        yield ""
        yield from self.calibration_lines()
        for name, path in self.plots.items():
            yield f"PR curve {name}: {path}"

    def calibration_lines(self) -> Iterator[str]:
        """Does the score mean what it says: Brier and reliability of the configured score,
        and a Platt refit judged out of fold (never on the rows it was fitted on)."""
        figures = self.calibration_json()
        yield (f"calibration (configured: slope {figures['slope']:.3f} intercept "
               f"{figures['intercept']:.3f}): Brier {figures['brier']:.4f}")  # fmt: skip
        yield from reliability_lines(reliability(self.pairs(FUSED), RELIABILITY_BINS))
        refit = figures["refit_out_of_fold_brier"]
        if refit is not None:
            better = "better: run `isop calibrate`" if refit < figures["brier"] else "no gain"
            yield (f"Platt refit judged out of fold ({figures['refit_folds']}): "
                   f"Brier {refit:.4f}, {better}")  # fmt: skip

    def calibration_json(self) -> dict[str, Any]:
        slope, intercept = self.calibration
        splits = sorted({j.row.split or "" for j in self.judged})
        if len(splits) >= 2:
            folds = [splits.index(j.row.split or "") for j in self.judged]
            named = "splits " + ", ".join(s or "(none)" for s in splits)
        else:
            folds, named = [i % 2 for i in range(len(self.judged))], "odd and even rows"
        rows = [(j.log_odds, j.row.label) for j in self.judged]
        oof = cross_fitted(rows, folds)
        return {
            "slope": slope, "intercept": intercept,
            "brier": round(brier_log_odds(rows, slope, intercept), 5),
            "reliability": [b.to_json() for b in reliability(self.pairs(FUSED), RELIABILITY_BINS)],
            "refit_out_of_fold_brier": None if oof is None else round(brier_log_odds(oof), 5),
            "refit_folds": named,
        }  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "targets": len(self.judged),
            "threshold": self.threshold,
            "detectors": {name: {**c.to_json(), "average_precision": round(ap, 4)}
                          for name, (c, ap) in self.per_detector().items()},
            "confusion": {f"{t}->{s}": n for (t, s), n in sorted(self.confusion().items())},
            "sweep": {f"{t:.2f}": c.to_json() for t, c in sweep(self.pairs(FUSED), SWEEP)},
            "misclassified": [j.row.target for j in self.misclassified()],
            "calibration": self.calibration_json(),
            "plots": {name: str(path) for name, path in self.plots.items()},
            "unreadable": self.unreadable,
        }


def run_labelled_eval(
    rows: list[LabelRow],
    pipeline: DetectionPipeline,
    plots_dir: Path | None,
    warn: Callable[[str, str], None] | None = None,
) -> LabelledReport:
    """Judge every row, score every detector alone and fused, draw the PR curves."""
    threshold = pipeline.fusion.config.thresholds.infringing
    calibration = pipeline.fusion.config.calibration
    report = LabelledReport([], pipeline.detector_names, threshold,
                            (calibration.slope, calibration.intercept))  # fmt: skip
    for row in rows:
        try:
            content = read_target(row.target, row.url)
        except TargetError as exc:
            report.unreadable.append(row.target)
            if warn is not None:
                warn(row.target, str(exc))
            continue
        verdict = pipeline.evaluate(content)
        alone = {
            name: pipeline.fusion.fuse([s for s in verdict.signals if s.detector == name]).score
            for name in report.detectors
        }
        report.judged.append(
            Judged(row, verdict, alone, pipeline.fusion.log_odds(verdict.signals))
        )
    if plots_dir is not None and report.judged:
        for name in [*report.detectors, FUSED]:
            pairs = report.pairs(name)
            c = counts(pairs, report.threshold)
            title = f"{name}: AP {average_precision(pairs):.3f} ({len(pairs)} targets)"
            report.plots[name] = draw_pr_curve(
                plots_dir / f"pr_{name}.png", title, pr_curve(pairs), (c.recall, c.precision)
            )
    return report


def save_report(report: LabelledReport, folder: Path, labels: Path, split: str | None) -> Path:
    """Write ``report`` as ``<folder>/eval-<UTC time>.json`` for the API's evaluation endpoint.

    Written to a hidden temporary file in the same folder, then renamed: a reader (the API
    serves the newest ``*.json``) never sees half a file.  The name carries microseconds and
    never overwrites, so two saves in the same second both stay.
    """
    import json
    import os
    import tempfile
    from datetime import UTC, datetime

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    body = {**report.to_json(), "labels": str(labels), "split": split,
            "saved_at": now.isoformat()}  # fmt: skip
    handle, tmp = tempfile.mkstemp(prefix=".eval-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, sort_keys=True, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        for attempt in range(100):
            target = folder / f"eval-{now:%Y%m%dT%H%M%S.%fZ}{f'-{attempt}' if attempt else ''}.json"
            try:
                os.link(tmp, target)  # atomic and refuses to overwrite an existing save
            except FileExistsError:
                continue
            return target
        raise FileExistsError(f"{folder}: no free name for eval-{now:%Y%m%dT%H%M%S.%fZ}.json")
    finally:
        os.unlink(tmp)
