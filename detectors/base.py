"""The detector plugin interface: what a detector sees, what it says, and the verdict.

A detector is a small plugin (ThreatExchange ``SignalType`` style): a name, the content kinds it
applies to, ``detect()`` returning scored signals with evidence, and examples that double as
tests. Values are validated where they are built, so a bad score fails at its source instead of
deep inside the fusion.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

from detectors.text import decode_body

#: Content kinds the crawler hands to detectors.
CONTENT_KINDS = frozenset({"html", "playlist", "panel", "image", "listing"})
#: Site kinds a verdict can name.
SITE_KINDS = ("index", "streaming", "iptv")
#: Signal family for evidence that argues the content is legitimate.
COUNTER = "counter"
#: Signal family for evidence of piracy that says nothing about the site kind.
GENERIC = "generic"
#: Every family the fusion understands; unknown families are fused as generic.
FAMILIES = frozenset({*SITE_KINDS, GENERIC, COUNTER})

T = TypeVar("T")


class DetectorError(Exception):
    """A detector or its configuration is unusable (bad config, duplicate name...)."""


def _unit_interval(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number in [0, 1], got {value!r}")
    number = float(value)
    if not (0.0 <= number <= 1.0):  # also rejects NaN
        raise ValueError(f"{what} must be in [0, 1], got {value!r}")
    return number


@dataclass(frozen=True)
class Content:
    """One fetched thing to judge: a page, a playlist, a panel answer, an image, a listing.

    ``text`` is the caller's decoded text when it has one; otherwise ``decoded_text()`` derives
    it from ``body`` once (charset from the header, a BOM or a meta tag, never raising).
    """

    url: str
    kind: str
    body: bytes
    content_type: str = ""
    text: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False)
    _memo: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if isinstance(self.body, bytearray | memoryview):
            object.__setattr__(self, "body", bytes(self.body))
        if not isinstance(self.body, bytes):
            raise TypeError(f"Content.body must be bytes, got {type(self.body).__name__}")
        if not isinstance(self.kind, str) or not isinstance(self.url, str):
            raise TypeError("Content.url and Content.kind must be str")
        if self.text is not None and not isinstance(self.text, str):
            raise TypeError(f"Content.text must be str or None, got {type(self.text).__name__}")

    def decoded_text(self) -> str:
        """The text of the body: ``text`` if given, else decoded once and remembered."""
        if self.text is not None:
            return self.text
        return self.memo("decoded_text", lambda: decode_body(self.body, self.content_type))

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """Compute a derived value once per content (parsed HTML shared by detectors)."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value

    def truncated(self, max_bytes: int) -> Content:
        """This content cut to its first ``max_bytes`` bytes (and as many text characters)."""
        too_long_text = self.text is not None and len(self.text) > max_bytes
        if len(self.body) <= max_bytes and not too_long_text:
            return self
        text = self.text[:max_bytes] if self.text is not None else None
        return replace(self, body=self.body[:max_bytes], text=text)


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: which detector, what it found, how strongly, and why.

    ``family`` says what the evidence points to (index, streaming, iptv, generic piracy, or
    counter-evidence); ``weight`` is the analyst's trust in it, from config, used by the fusion.
    """

    detector: str
    name: str
    score: float
    evidence: str
    family: str = GENERIC
    weight: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", _unit_interval(self.score, f"Signal {self.name!r} score"))
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"Signal {self.name!r} weight must be a number, got {weight!r}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"Signal {self.name!r} weight must be finite and >= 0")
        object.__setattr__(self, "weight", float(weight))
        for attr in ("detector", "name", "evidence", "family"):
            if not isinstance(getattr(self, attr), str):
                raise TypeError(f"Signal.{attr} must be str")

    @property
    def qualified_name(self) -> str:
        """``detector.name``: the key analysts use to override a weight."""
        return f"{self.detector}.{self.name}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON, the registry and exports."""
        return {
            "detector": self.detector,
            "name": self.name,
            "score": self.score,
            "evidence": self.evidence,
            "family": self.family,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class Verdict:
    """The fused judgement of one content: score, decision, site kind and the why."""

    score: float
    infringing: bool
    kind: str | None
    signals: tuple[Signal, ...]
    explanation: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", _unit_interval(self.score, "Verdict score"))
        if self.kind is not None and self.kind not in SITE_KINDS:
            raise ValueError(f"Verdict kind must be one of {SITE_KINDS} or None, got {self.kind!r}")
        object.__setattr__(self, "signals", tuple(self.signals))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON, the registry and exports."""
        return {
            "score": self.score,
            "infringing": self.infringing,
            "kind": self.kind,
            "signals": [signal.to_dict() for signal in self.signals],
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Example:
    """A sample a detector must get right: ``positive`` means it must emit a signal."""

    content: Content
    positive: bool
    note: str = ""


class Detector(ABC):
    """Base class of every detector plugin.

    Subclasses declare ``applies_to`` (content kinds), a unique ``get_name()``, ``detect()``
    and ``get_examples()``. ``detect()`` may raise on hostile input: the pipeline contains the
    failure and counts it, so detectors stay simple.
    """

    applies_to: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    @classmethod
    @abstractmethod
    def get_name(cls) -> str:
        """Unique, stable name: it keys config sections, weights and stored evidence."""

    @abstractmethod
    def detect(self, content: Content) -> list[Signal]:
        """Signals found in ``content`` (empty when nothing is found)."""

    @classmethod
    @abstractmethod
    def get_examples(cls) -> list[Example]:
        """Positive and negative samples; the contract test runs every detector on its own."""

    def signal(self, name: str, score: float, evidence: str, family: str, weight: float) -> Signal:
        """Build a signal stamped with this detector's name."""
        return Signal(self.get_name(), name, score, evidence, family, weight)
