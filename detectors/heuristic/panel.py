"""Heuristic detector for IPTV panel answers (Xtream-Codes ``player_api.php`` and kin).

A ``player_api.php`` answer carrying ``user_info`` (username, password, exp_date,
max_connections) and ``server_info`` (url, port) is the back end of a pirate IPTV service: a
clear positive. Passwords are masked in evidence. Keys and markers:
``config/heuristic/panel.yaml``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter, ValidationError

from detectors.base import Content, Detector, DetectorError, Example, Signal
from detectors.heuristic import examples
from detectors.heuristic.rules import CheckBase, Hit, Rule, parse_rules
from detectors.heuristic.terms import TermIndex
from detectors.registry import REGISTRY
from detectors.text import fold, shorten, snippet


@dataclass(frozen=True)
class PanelFacts:
    """The parsed JSON (None when the body is not JSON) and the body text."""

    data: Any
    text: str
    folded: str


class JsonKeysCheck(CheckBase):
    """An object at ``path`` holding at least ``min_count`` of ``keys``."""

    type: Literal["json_keys"]
    path: str = ""
    keys: list[str]
    show: list[str] = Field(default_factory=list)
    redact: list[str] = Field(default_factory=list)


class JsonRecordsCheck(CheckBase):
    """A list at ``path`` of objects each holding at least ``min_keys`` of ``keys``."""

    type: Literal["json_records"]
    path: str = ""
    keys: list[str]
    min_keys: int = Field(default=2, ge=1)


class PanelTermsCheck(CheckBase):
    """Phrases in the body (panel login pages, portal markers)."""

    type: Literal["terms"]
    terms: dict[str, list[str]]


PanelCheck = Annotated[
    JsonKeysCheck | JsonRecordsCheck | PanelTermsCheck, Field(discriminator="type")
]
_ADAPTER: TypeAdapter[PanelCheck] = TypeAdapter(PanelCheck)
Matcher = Callable[[PanelFacts], Hit]


def _at(data: Any, path: str) -> Any:
    for key in filter(None, path.split(".")):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _mask(value: Any) -> str:
    text = str(value)
    return f"{text[:1]}***({len(text)} chars)" if text else "(empty)"


def _json_keys(check: JsonKeysCheck) -> Matcher:
    def match(facts: PanelFacts) -> Hit:
        node = _at(facts.data, check.path)
        if not isinstance(node, dict):
            return Hit(0)
        present = [key for key in check.keys if key in node]
        shown = [
            f"{key}={_mask(node[key]) if key in check.redact else shorten(str(node[key]), 60)}"
            for key in check.show
            if key in node
        ]
        where = check.path or "root"
        return Hit(len(present), (f"{where} has {', '.join(present)}", *shown))

    return match


def _json_records(check: JsonRecordsCheck) -> Matcher:
    wanted = set(check.keys)

    def match(facts: PanelFacts) -> Hit:
        node = _at(facts.data, check.path)
        if not isinstance(node, list):
            return Hit(0)
        records = [
            item for item in node[:10_000]
            if isinstance(item, dict) and len(wanted & item.keys()) >= check.min_keys
        ]
        sample = [shorten(str(item.get("name", "")), 60) for item in records[:3]]
        return Hit(len(records), (f"{len(records)} records", *sample))

    return match


def _terms(check: PanelTermsCheck) -> Matcher:
    index = TermIndex(check.terms)

    def match(facts: PanelFacts) -> Hit:
        hits = index.search(facts.folded)
        return Hit(
            len(hits),
            tuple(f'"{h.term.phrase}" «{snippet(facts.text, h.start, h.end)}»' for h in hits),
        )

    return match


def build_check(raw: Mapping[str, Any]) -> tuple[CheckBase, Matcher]:
    """Validate a panel check from config and compile its matcher."""
    try:
        check = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise DetectorError(f"invalid panel check: {exc}") from exc
    if isinstance(check, JsonKeysCheck):
        return check, _json_keys(check)
    if isinstance(check, JsonRecordsCheck):
        return check, _json_records(check)
    return check, _terms(check)


def _facts(content: Content, max_text_chars: int) -> PanelFacts:
    given = content.meta.get("json")  # a crawler item's typed answer (crawler.facts.content)
    if isinstance(given, dict):
        return PanelFacts(data=given, text="", folded="")
    text = content.decoded_text()[:max_text_chars]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    return PanelFacts(data=data, text=text, folded=fold(text))


@REGISTRY.register
class PanelDetector(Detector):
    """Recognises Xtream-Codes style panel answers and panel pages."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"panel"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.limits: Mapping[str, Any] = config.get("limits") or {}
        self.max_text_chars = int(self.limits.get("max_text_chars", 400_000))
        self.rules: list[Rule[PanelFacts]] = parse_rules(
            config.get("rules"), build_check, self.get_name()
        )

    @classmethod
    def get_name(cls) -> str:
        return "panel_xtream"

    def detect(self, content: Content) -> list[Signal]:
        facts = _facts(content, self.max_text_chars)
        found = (rule.evaluate(facts, self.get_name(), self.limits) for rule in self.rules)
        return [signal for signal in found if signal is not None]

    @classmethod
    def get_examples(cls) -> list[Example]:
        return examples.for_detector(cls.get_name())
