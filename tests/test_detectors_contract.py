"""Every registered detector gets its own examples right (ThreatExchange-style contract)."""

from __future__ import annotations

import pytest

from detectors.base import Content, Detector, Signal
from detectors.config import load_config
from detectors.registry import default_registry

REGISTRY = default_registry()
CONFIG = load_config()


def _build(cls: type[Detector]) -> Detector:
    return cls(CONFIG.settings_for(cls.get_name()))


@pytest.mark.parametrize("cls", list(REGISTRY), ids=REGISTRY.names())
def test_detector_matches_its_own_examples(cls: type[Detector]) -> None:
    detector = _build(cls)
    examples = cls.get_examples()
    assert any(e.positive for e in examples), "needs at least one positive example"
    assert any(not e.positive for e in examples), "needs at least one negative example"
    for example in examples:
        assert example.content.kind in cls.applies_to
        signals = detector.detect(example.content)
        assert all(isinstance(s, Signal) for s in signals)
        assert all(s.detector == cls.get_name() for s in signals)
        assert bool(signals) == example.positive, (example.note, signals)


@pytest.mark.parametrize("cls", list(REGISTRY), ids=REGISTRY.names())
def test_detector_signals_explain_themselves(cls: type[Detector]) -> None:
    detector = _build(cls)
    for example in cls.get_examples():
        for signal in detector.detect(example.content):
            assert signal.evidence.strip()
            assert len(signal.evidence) <= CONFIG.limits.max_evidence_chars
            assert 0.0 < signal.score <= 1.0


@pytest.mark.parametrize("cls", list(REGISTRY), ids=REGISTRY.names())
def test_detector_survives_empty_input(cls: type[Detector]) -> None:
    detector = _build(cls)
    for kind in cls.applies_to:
        assert detector.detect(Content("http://x/", kind, b"")) == []
