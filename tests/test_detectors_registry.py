"""detectors.registry: names are unique, classes are checked when registered."""

from __future__ import annotations

from typing import ClassVar

import pytest

from detectors.base import Content, Detector, DetectorError, Example, Signal
from detectors.registry import DetectorRegistry, default_registry, load_plugins


def _detector(name: str, kinds: frozenset[str] = frozenset({"html"})) -> type[Detector]:
    class _Made(Detector):
        applies_to: ClassVar[frozenset[str]] = kinds

        @classmethod
        def get_name(cls) -> str:
            return name

        def detect(self, content: Content) -> list[Signal]:
            return []

        @classmethod
        def get_examples(cls) -> list[Example]:
            return []

    return _Made


def test_duplicate_names_raise() -> None:
    registry = DetectorRegistry()
    registry.register(_detector("same"))
    with pytest.raises(DetectorError, match="duplicate detector name 'same'"):
        registry.register(_detector("same"))


def test_unknown_name_lists_known_ones() -> None:
    registry = DetectorRegistry([_detector("one")])
    with pytest.raises(DetectorError, match="registered: one"):
        registry.get("two")


def test_rejects_non_detectors_abstract_and_bad_kinds() -> None:
    registry = DetectorRegistry()
    with pytest.raises(DetectorError):
        registry.register(object)  # type: ignore[type-var]
    with pytest.raises(DetectorError, match="abstract"):
        registry.register(Detector)
    with pytest.raises(DetectorError, match="unknown kinds"):
        registry.register(_detector("x", frozenset({"video"})))
    with pytest.raises(DetectorError, match="non-empty"):
        registry.register(_detector("", frozenset({"html"})))


def test_register_works_as_decorator_and_iterates_in_order() -> None:
    registry = DetectorRegistry()
    first = registry.register(_detector("a"))
    registry.register(_detector("b"))
    assert registry.names() == ["a", "b"] and next(iter(registry)) is first
    assert "a" in registry and len(registry) == 2


def test_default_registry_has_the_builtin_detectors() -> None:
    names = set(default_registry().names())
    assert {
        "page_vocabulary",
        "page_structure",
        "page_money",
        "page_counter",
        "playlist_iptv",
        "panel_xtream",
    } <= names


def test_missing_plugin_module_is_a_detector_error() -> None:
    with pytest.raises(DetectorError, match="no_such_module"):
        load_plugins(["detectors.no_such_module"])
