"""Which detector classes exist, by name.

Names key config sections, weights and stored evidence, so a duplicate is an error (raised, not
asserted: asserts vanish under ``python -O``). Built-in detectors register into the default
registry when ``detectors.heuristic`` is imported; other packages register theirs with
``@REGISTRY.register`` and are listed under ``plugins`` in the config so that they get imported.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Iterator
from typing import TypeVar

from detectors.base import CONTENT_KINDS, Detector, DetectorError

D = TypeVar("D", bound=type[Detector])


class DetectorRegistry:
    """A name -> detector class table that refuses duplicates and malformed classes."""

    def __init__(self, classes: Iterable[type[Detector]] = ()) -> None:
        self._classes: dict[str, type[Detector]] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: D) -> D:
        """Add ``cls``; usable as a class decorator. Raises DetectorError when invalid."""
        if not (inspect.isclass(cls) and issubclass(cls, Detector)):
            raise DetectorError(f"{cls!r} is not a Detector subclass")
        if inspect.isabstract(cls):
            raise DetectorError(f"{cls.__name__} is abstract: implement every abstract method")
        name = cls.get_name()
        if not isinstance(name, str) or not name.strip():
            raise DetectorError(f"{cls.__name__}.get_name() must return a non-empty str")
        if not isinstance(cls.applies_to, frozenset) or not cls.applies_to:
            raise DetectorError(f"{cls.__name__}.applies_to must be a non-empty frozenset")
        unknown = cls.applies_to - CONTENT_KINDS
        if unknown:
            raise DetectorError(f"{cls.__name__} applies to unknown kinds {sorted(unknown)}")
        if name in self._classes:
            other = self._classes[name]
            raise DetectorError(
                f"duplicate detector name {name!r}: {cls.__module__}.{cls.__qualname__} "
                f"and {other.__module__}.{other.__qualname__}"
            )
        self._classes[name] = cls
        return cls

    def get(self, name: str) -> type[Detector]:
        """The class registered as ``name``; DetectorError names the known ones if absent."""
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes)) or "none"
            raise DetectorError(f"unknown detector {name!r} (registered: {known})") from None

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[type[Detector]]:
        return iter(list(self._classes.values()))

    def __len__(self) -> int:
        return len(self._classes)


#: The process-wide registry the pipeline uses unless given another.
REGISTRY = DetectorRegistry()


def load_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules so that their ``@REGISTRY.register`` decorators run."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise DetectorError(f"cannot import detector plugin module {module!r}: {exc}") from exc


def default_registry() -> DetectorRegistry:
    """The global registry with the built-in detectors (heuristic, title, image) loaded."""
    load_plugins(["detectors.heuristic", "detectors.title", "detectors.image.detector"])
    return REGISTRY
