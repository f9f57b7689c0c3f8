"""Signals that count distinct hits: one setting shape and one scoring rule, shared by the
detectors whose evidence is a list of things found (catalog titles, listing links).

The score saturates linearly (``hits / saturate``, capped at 1); the evidence names the
setting's reason, the count and the first few hits, cut to the configured length, so the
detectors that count agree on what a signal looks like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detectors.base import Detector, Signal
from detectors.text import shorten


class SignalSetting(BaseModel):
    """How one counted signal is weighed: family, log-odds weight, count that scores 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: str
    weight: float = Field(ge=0.0)
    saturate: int = Field(default=1, ge=1)
    why: str


def counted_signal(detector: Detector, name: str, setting: SignalSetting | None,
                   hits: Sequence[str], limits: Mapping[str, Any]) -> Signal | None:  # fmt: skip
    """``detector``'s signal ``name`` for ``hits`` (one string each, shown as evidence);
    None when the signal is not configured or nothing was found."""
    if setting is None or not hits:
        return None
    shown = "; ".join(hits[: int(limits.get("max_examples", 3))])
    evidence = f"{setting.why} ({len(hits)} found): {shown}"
    return detector.signal(
        name,
        min(1.0, len(hits) / setting.saturate),
        shorten(evidence, int(limits.get("max_evidence_chars", 240))),
        setting.family,
        setting.weight,
    )
