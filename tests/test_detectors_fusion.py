"""detectors.fusion: logistic sum with counter-evidence, caps, kind and explanation."""

from __future__ import annotations

import math

from detectors.base import Signal
from detectors.fusion import Fusion

CONFIG = {
    "bias": -3.0,
    "thresholds": {"infringing": 0.5, "kind_min_evidence": 1.0},
    "family_cap": 8.0,
    "counter_cap": 8.0,
}


def _signal(name: str, family: str, weight: float, score: float = 1.0) -> Signal:
    return Signal("d", name, score, f"{name} evidence", family, weight)


def test_no_signals_is_the_prior() -> None:
    verdict = Fusion(CONFIG).fuse([])
    assert math.isclose(verdict.score, 1 / (1 + math.e**3))
    assert not verdict.infringing and verdict.kind is None
    assert "No evidence" in verdict.explanation


def test_weighted_evidence_crosses_the_threshold() -> None:
    signals = [_signal("magnets", "index", 3.0), _signal("seeders", "index", 1.5)]
    verdict = Fusion(CONFIG).fuse(signals)
    assert verdict.infringing and verdict.kind == "index"
    assert math.isclose(verdict.score, 1 / (1 + math.exp(-1.5)))


def test_counter_evidence_subtracts() -> None:
    signals = [_signal("magnets", "index", 3.0), _signal("seeders", "index", 1.5)]
    verdict = Fusion(CONFIG).fuse([*signals, _signal("distro", "counter", 4.0)])
    assert not verdict.infringing and verdict.kind is None
    assert "Counter-evidence: d.distro" in verdict.explanation


def test_family_cap_limits_one_family() -> None:
    many = [_signal(f"w{i}", "streaming", 2.0) for i in range(20)]
    verdict = Fusion(CONFIG).fuse([*many, _signal("news", "counter", 6.0)])
    # 40 raw but capped at 8: -3 + 8 - 6 = -1
    assert not verdict.infringing


def test_kind_follows_the_dominant_family_and_generic_never_names_it() -> None:
    fusion = Fusion(CONFIG)
    mixed = [_signal("embed", "streaming", 3.0), _signal("plans", "iptv", 1.5)]
    assert fusion.fuse(mixed).kind == "streaming"
    generic = [_signal("ads", "generic", 2.0), _signal("crypto", "generic", 2.0)]
    verdict = fusion.fuse(generic)
    assert verdict.infringing and verdict.kind is None
    assert "site kind unclear" in verdict.explanation


def test_unknown_family_counts_as_generic() -> None:
    verdict = Fusion(CONFIG).fuse([_signal("hash", "phash-match", 4.0)])
    assert verdict.infringing and verdict.kind is None


def test_overrides_replace_weights_by_signal_or_detector() -> None:
    signals = [_signal("magnets", "index", 3.0), _signal("seeders", "index", 1.5)]
    assert not Fusion({**CONFIG, "overrides": {"d.magnets": 0.0}}).fuse(signals).infringing
    assert not Fusion({**CONFIG, "overrides": {"d": 0.5}}).fuse(signals).infringing


def test_partial_scores_scale_contributions() -> None:
    half = Fusion(CONFIG).fuse([_signal("magnets", "index", 4.0, score=0.5)])
    assert math.isclose(half.score, 1 / (1 + math.exp(1.0)))


def test_explanation_is_one_paragraph_naming_threshold_and_evidence() -> None:
    verdict = Fusion(CONFIG).fuse([_signal("embed", "streaming", 4.0)])
    assert "\n" not in verdict.explanation
    assert "0.50" in verdict.explanation and "d.embed (+4.00)" in verdict.explanation
    assert verdict.signals[0].name == "embed"


def test_signals_are_ordered_by_impact() -> None:
    signals = [
        _signal("small", "index", 0.5),
        _signal("big", "index", 3.0),
        _signal("news", "counter", 2.0),
    ]
    verdict = Fusion(CONFIG).fuse(signals)
    assert [s.name for s in verdict.signals] == ["big", "news", "small"]
