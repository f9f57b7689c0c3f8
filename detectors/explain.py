"""A one-paragraph, human explanation of a verdict, for analysts and case files.

It names the decision and the threshold, the strongest evidence for and against with the
detectors' own words, and the per-family totals, so a reader can check the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from detectors.base import COUNTER, Signal
from detectors.text import shorten

_EVIDENCE_CHARS = 160


def _describe(items: Sequence[tuple[Signal, float]], top: int) -> str:
    parts = [
        f"{signal.qualified_name} ({value:+.2f}): {shorten(signal.evidence, _EVIDENCE_CHARS)}"
        for signal, value in items[:top]
    ]
    more = len(items) - top
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def explain(
    ordered: Sequence[tuple[Signal, float]],
    *,
    score: float,
    infringing: bool,
    kind: str | None,
    threshold: float,
    totals: Mapping[str, float],
    top: int,
    log_odds: float | None = None,
) -> str:
    """One paragraph: decision, strongest evidence for and against, family totals.

    ``log_odds`` (the raw sum before calibration) is quoted next to the calibrated score, so
    a reader can redo the arithmetic from the family totals."""
    raw = "" if log_odds is None else f" (raw log-odds {log_odds:+.2f}, calibrated)"
    if infringing:
        what = f"an infringing {kind} site" if kind else "infringing (site kind unclear)"
        head = f"Flagged as {what}: fused score {score:.2f}{raw} is at or above the threshold"
    else:
        head = f"Not flagged: fused score {score:.2f}{raw} is below the threshold"
    sentences = [f"{head} {threshold:.2f}."]
    evidence = [item for item in ordered if item[0].family != COUNTER and item[1] > 0]
    counter = [item for item in ordered if item[0].family == COUNTER and item[1] < 0]
    if evidence:
        sentences.append(f"Evidence for: {_describe(evidence, top)}.")
    else:
        sentences.append("No evidence of infringement was found.")
    if counter:
        sentences.append(f"Counter-evidence: {_describe(counter, top)}.")
    if totals:
        shown = ", ".join(f"{family} {value:+.2f}" for family, value in sorted(totals.items()))
        sentences.append(f"Family totals (log-odds, capped): {shown}.")
    return " ".join(sentences)
