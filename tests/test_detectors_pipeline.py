"""detectors.pipeline: hostile input never escapes evaluate(); failures are counted."""

from __future__ import annotations

import random
import time
from typing import Any, ClassVar

import pytest

from detectors.base import Content, Detector, DetectorError, Example, Signal
from detectors.config import DEFAULT_CONFIG_PATH, load_config
from detectors.pipeline import PIPELINE, DetectionPipeline
from detectors.registry import DetectorRegistry, default_registry

KINDS = ("html", "playlist", "panel", "image", "listing", "unknown-kind")
# Seconds one hostile content may cost at most; real pages take milliseconds.
BUDGET = 5.0


def _garbage(size: int) -> bytes:
    return random.Random(7).randbytes(size)


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t " * 100,
    "binary_garbage": _garbage(1_000_000),
    "nul_bytes": b"\x00" * 500_000,
    "invalid_utf8": b"<html>\xff\xfe\xfa\xc3\x28 watch free \xa0\xa1" * 5000,
    "huge_20mb": b"<p>watch free <a href='https://streamtape.com/e/x'>x</a> server 1</p>\n"
    * 300_000,
    "deeply_nested": b"<div>" * 100_000 + b"<a href='magnet:?xt=urn:btih:x'>m</a>",
    "unclosed_attributes": (b'<a href="' + b"x" * 3990) * 300,
    "long_attribute_names": (b"<a " + b"x" * 3990 + b">") * 300,
    "dotted_run": b"a." * 600_000,
    "digit_groups": b"123 " * 300_000,
    "query_flood": b"http://h/?username=a" * 60_000,
    "one_giant_line": b"#EXTINF:-1 " + b"a" * 1_500_000,
    "json_nesting": b"[" * 1_000_000,
    "json_huge_string": b'{"user_info":{"username":"' + b"a" * 1_000_000 + b'"}}',
    "utf16_without_bom": "무료 다시보기 ver gratis".encode("utf-16-le") * 1000,
}


@pytest.fixture(scope="module")
def pipeline() -> DetectionPipeline:
    return DetectionPipeline.from_config()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_never_raises_and_stays_cheap(
    pipeline: DetectionPipeline, name: str
) -> None:
    for kind in KINDS:
        started = time.perf_counter()
        verdict = pipeline.evaluate(Content(f"http://hostile.example/{name}", kind, HOSTILE[name]))
        elapsed = time.perf_counter() - started
        assert 0.0 <= verdict.score <= 1.0
        assert elapsed < BUDGET, f"{name} as {kind} took {elapsed:.2f}s"
    assert not pipeline.errors, pipeline.errors


def test_non_content_input_is_counted_not_raised(pipeline: DetectionPipeline) -> None:
    before = pipeline.errors[PIPELINE]
    verdict = pipeline.evaluate("not a content")  # type: ignore[arg-type]
    assert verdict.infringing is False and pipeline.errors[PIPELINE] == before + 1


class _Exploding(Detector):
    applies_to: ClassVar[frozenset[str]] = frozenset({"html"})

    @classmethod
    def get_name(cls) -> str:
        return "exploding"

    def detect(self, content: Content) -> list[Signal]:
        raise RecursionError("hostile page")

    @classmethod
    def get_examples(cls) -> list[Example]:
        return []


class _Liar(_Exploding):
    @classmethod
    def get_name(cls) -> str:
        return "liar"

    def detect(self, content: Content) -> list[Signal]:
        return ["not a signal"]  # type: ignore[list-item]


class _Steady(_Exploding):
    @classmethod
    def get_name(cls) -> str:
        return "steady"

    def detect(self, content: Content) -> list[Signal]:
        return [self.signal("hit", 1.0, "always", "streaming", 5.0)]


def _config(*names: str) -> dict[str, Any]:
    return {
        "detectors": [{"name": name} for name in names],
        "fusion": {"bias": -3.0, "thresholds": {"infringing": 0.5}},
    }


def test_failing_detectors_yield_nothing_and_are_counted() -> None:
    registry = DetectorRegistry([_Exploding, _Liar, _Steady])
    pipeline = DetectionPipeline.from_config(_config("exploding", "liar", "steady"), registry)
    verdict = pipeline.evaluate(Content("http://x/", "html", b"<p>x</p>"))
    assert verdict.infringing and verdict.kind == "streaming"
    assert [s.detector for s in verdict.signals] == ["steady"]
    assert pipeline.errors == {"exploding": 1, "liar": 1}
    stats = pipeline.stats()
    assert stats["runs"] == {"exploding": 1, "liar": 1, "steady": 1}
    assert stats["evaluated"] == 1 and stats["flagged"] == {"streaming": 1}


def test_detectors_only_run_on_their_kinds() -> None:
    registry = DetectorRegistry([_Steady])
    pipeline = DetectionPipeline.from_config(_config("steady"), registry)
    verdict = pipeline.evaluate(Content("http://x/", "playlist", b"#EXTM3U"))
    assert verdict.signals == () and not pipeline.runs


def test_applies_to_can_be_overridden_in_config() -> None:
    registry = DetectorRegistry([_Steady])
    config = _config("steady")
    config["detectors"][0]["applies_to"] = ["listing"]
    pipeline = DetectionPipeline.from_config(config, registry)
    assert pipeline.evaluate(Content("http://x/", "listing", b"x")).infringing
    assert not pipeline.evaluate(Content("http://x/", "html", b"x")).infringing


def test_disabled_detectors_do_not_run() -> None:
    config = _config("steady")
    config["detectors"][0]["enabled"] = False
    pipeline = DetectionPipeline.from_config(config, DetectorRegistry([_Steady]))
    assert pipeline.detector_names == []


def test_unknown_detector_fails_at_start() -> None:
    with pytest.raises(DetectorError, match="unknown detector"):
        DetectionPipeline.from_config(_config("nope"), DetectorRegistry())


def test_work_is_capped_to_max_bytes() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    pipeline = DetectionPipeline.from_config(config)
    tail = b"<a href='magnet:?xt=urn:btih:x'>m</a>" * 10
    body = b"<p>" + b"filler " * (config.limits.max_bytes // 7 + 10) + tail
    verdict = pipeline.evaluate(Content("http://x/", "html", body))
    assert not any(s.name == "magnet_links" for s in verdict.signals)


def test_default_registry_pipeline_runs_builtins_in_config_order() -> None:
    pipeline = DetectionPipeline.from_config()
    assert pipeline.detector_names[:4] == [
        "page_vocabulary",
        "page_structure",
        "page_money",
        "page_counter",
    ]
    assert set(pipeline.detector_names) <= set(default_registry().names())
