"""A verdict written out for a person (``isop explain``): decision, arithmetic, each signal.

Each signal shows its detector and name, the weight the fusion used (overrides applied), its
score, its share of the log-odds and the detector's own evidence: what in the page fired it.
"""

from __future__ import annotations

from collections.abc import Iterator

from detectors.base import COUNTER, Content, Verdict
from detectors.fusion import Fusion


def explain_lines(target: str, content: Content, verdict: Verdict, fusion: Fusion) -> Iterator[str]:
    """Lines of the explanation of one target's verdict."""
    decision = "FLAGGED" if verdict.infringing else "not flagged"
    kind = f" as {verdict.kind}" if verdict.kind else ""
    yield f"{target}  ({content.kind}, {content.url})"
    threshold, bias = fusion.config.thresholds.infringing, fusion.config.bias
    score = verdict.score
    yield f"  {decision}{kind}: score {score:.3f} (threshold {threshold:.2f}, bias {bias:+.2f})"
    slope, intercept = fusion.config.calibration.slope, fusion.config.calibration.intercept
    yield (f"  raw log-odds {fusion.log_odds(verdict.signals):+.2f} -> calibrated score "
           f"sigmoid({slope:g} x raw {intercept:+g}) = {score:.3f}")  # fmt: skip
    if not verdict.signals:
        yield "  no signal: nothing in this content matched any rule"
    for signal in verdict.signals:
        weight = fusion.weight(signal)
        share = weight * signal.score * (-1.0 if signal.family == COUNTER else 1.0)
        yield (
            f"  {share:+6.2f}  {signal.qualified_name:<40} weight {weight:.2f} x score "
            f"{signal.score:.2f}  [{signal.family}]"
        )
        yield f"          {signal.evidence}"
    yield f"  {verdict.explanation}"
    yield ""
