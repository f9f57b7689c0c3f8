"""The review queue orders by distance from the flag threshold: which threshold it reads."""

from __future__ import annotations

from pathlib import Path

from crawler.api.deps import ApiSettings
from crawler.api.review import DEFAULT_THRESHOLD, infringing_threshold
from crawler.config import CONFIG_DIR


def test_fallback_is_the_shipped_threshold() -> None:
    shipped = infringing_threshold(CONFIG_DIR / "detectors.yaml")
    assert shipped == DEFAULT_THRESHOLD
    assert ApiSettings().review_threshold == shipped


def test_deployment_value_is_read(tmp_path: Path) -> None:
    path = tmp_path / "detectors.yaml"
    path.write_text("fusion:\n  thresholds:\n    infringing: 0.85\n", encoding="utf-8")
    assert infringing_threshold(path) == 0.85


def test_unreadable_or_out_of_range_falls_back(tmp_path: Path) -> None:
    assert infringing_threshold(tmp_path / "missing.yaml") == DEFAULT_THRESHOLD
    broken = tmp_path / "broken.yaml"
    broken.write_text("fusion: [unclosed", encoding="utf-8")
    assert infringing_threshold(broken) == DEFAULT_THRESHOLD
    wild = tmp_path / "wild.yaml"
    wild.write_text("fusion:\n  thresholds:\n    infringing: 7\n", encoding="utf-8")
    assert infringing_threshold(wild) == DEFAULT_THRESHOLD
