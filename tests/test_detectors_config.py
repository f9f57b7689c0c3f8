"""detectors.config and the shipped YAML: valid, commented, and strict about mistakes."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from detectors.base import DetectorError
from detectors.config import DEFAULT_CONFIG_PATH, load_config
from detectors.pipeline import DetectionPipeline

CONFIG_DIR = DEFAULT_CONFIG_PATH.parent


def _raw() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_shipped_config_loads_and_builds() -> None:
    config = load_config()
    assert config.fusion.thresholds.infringing == 0.7  # calibrated scale (fusion.calibration)
    pipeline = DetectionPipeline.from_config(DEFAULT_CONFIG_PATH)
    expected = {"page_vocabulary", "page_structure", "page_money", "page_counter",
                "playlist_iptv", "panel_xtream", "title_match"}  # fmt: skip
    assert expected <= set(pipeline.detector_names)


def test_mapping_config_resolves_includes_against_config_dir() -> None:
    pipeline = DetectionPipeline.from_config(_raw())
    assert "page_structure" in pipeline.detector_names


def test_every_threshold_and_limit_is_commented() -> None:
    lines = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").splitlines()
    for section in ("limits", "thresholds"):
        start = next(i for i, line in enumerate(lines) if line.strip() == f"{section}:")
        indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
        for index in range(start + 1, len(lines)):
            line = lines[index]
            if line.strip() and (len(line) - len(line.lstrip())) < indent:
                break
            if re.match(r"\s*\w+:\s*\S", line) and not line.strip().startswith("#"):
                assert lines[index - 1].strip().startswith("#"), f"uncommented: {line.strip()}"


def test_unknown_keys_are_rejected() -> None:
    raw = _raw()
    raw["fusion"] = {**raw["fusion"], "treshold": 0.4}
    with pytest.raises(DetectorError, match="treshold"):
        load_config(raw)


def _with_rule(detector: str, rule: dict[str, Any]) -> dict[str, Any]:
    raw = _raw()
    raw["detectors"] = [{"name": detector, "settings": {"rules": [rule]}}]
    return raw


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"name": "x", "family": "index", "weight": 1, "why": "w",
          "check": {"type": "regex", "patterns": ["(unclosed"]}}, "bad regex"),
        ({"name": "x", "family": "nonsense", "weight": 1, "why": "w",
          "check": {"type": "terms", "terms": {"en": ["a"]}}}, "family"),
        ({"name": "X-bad", "family": "index", "weight": 1, "why": "w",
          "check": {"type": "terms", "terms": {"en": ["a"]}}}, "snake_case"),
        ({"name": "x", "family": "index", "weight": 1, "why": "w",
          "check": {"type": "telepathy"}}, "invalid page check"),
        ({"name": "x", "family": "index", "weight": 1, "why": "w",
          "check": {"type": "number", "patterns": ["\\d+"], "min_value": 1}}, "(?P<n>"),
        ({"name": "x", "family": "index", "weight": 1, "why": "w",
          "check": {"type": "xpath", "expressions": ["//*["]}}, "bad xpath"),
    ],
)
def test_bad_rules_fail_at_start(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(DetectorError, match=re.escape(message)):
        DetectionPipeline.from_config(_with_rule("page_structure", rule))


def test_duplicate_rule_names_fail() -> None:
    rule = {"name": "x", "family": "index", "weight": 1, "why": "w",
            "check": {"type": "terms", "terms": {"en": ["a"]}}}
    raw = _raw()
    raw["detectors"] = [{"name": "page_vocabulary", "settings": {"rules": [rule, rule]}}]
    with pytest.raises(DetectorError, match="duplicate rule name"):
        DetectionPipeline.from_config(raw)


def test_missing_include_is_a_detector_error(tmp_path: Path) -> None:
    raw = _raw()
    raw["detectors"] = [{"name": "page_vocabulary", "include": "nowhere.yaml"}]
    with pytest.raises(DetectorError, match=r"nowhere\.yaml"):
        load_config(raw, base_dir=tmp_path)


def _regexes(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in {"regex", "number"}:
            found.extend(node["patterns"])
        if node.get("type") in {"urls", "entry_urls", "entry_regex"} and node.get("pattern"):
            found.append(node["pattern"])
        for value in node.values():
            found.extend(_regexes(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_regexes(value))
    return found


ADVERSARIAL = [
    "a." * 20_000,
    "1." * 20_000,
    "123 " * 10_000,
    "a" * 40_000,
    "1" * 40_000,
    "http://a:b" * 4_000,
    "?username=a&" * 4_000,
    "//a" * 13_000,
    " " * 40_000,
    "x-" * 20_000,
]


def test_configured_regexes_stay_linear_on_adversarial_text() -> None:
    """Analysts edit these patterns: keep quantifiers bounded so no page can stall a worker."""
    patterns = []
    for path in sorted((CONFIG_DIR / "heuristic").glob("*.yaml")):
        patterns.extend(_regexes(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert len(patterns) > 20
    slow = []
    for pattern in patterns:
        compiled = re.compile(pattern, re.IGNORECASE)
        for text in ADVERSARIAL:
            started = time.perf_counter()
            for _ in compiled.finditer(text):
                pass
            elapsed = time.perf_counter() - started
            if elapsed > 0.25:
                slow.append(f"{pattern!r} took {elapsed:.2f}s on {text[:12]!r}...")
                break
    assert not slow, slow
