"""Heuristic detectors for HTML pages: words, structure, money, and counter-evidence.

Four detectors run the same rule engine on the same parsed page (parsed once, shared through
``Content.memo``) but stay separate plugins, so an analyst can weigh, disable or reorder each
family on its own. All their vocabulary and rules are data in ``config/heuristic/page_*.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from detectors.base import Content, Detector, Example, Signal
from detectors.heuristic import examples
from detectors.heuristic.html_facts import PageFacts, page_facts
from detectors.heuristic.page_checks import build_check
from detectors.heuristic.rules import Rule, parse_rules
from detectors.registry import REGISTRY


class PageRuleDetector(Detector):
    """Runs the ``rules`` of its settings against the page's facts."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"html"})
    name: ClassVar[str] = ""

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.limits: Mapping[str, Any] = config.get("limits") or {}
        self.max_text_chars = int(self.limits.get("max_text_chars", 400_000))
        self.max_elements = int(self.limits.get("max_elements", 50_000))
        self.rules: list[Rule[PageFacts]] = parse_rules(
            config.get("rules"), build_check, self.get_name()
        )

    @classmethod
    def get_name(cls) -> str:
        return cls.name

    def detect(self, content: Content) -> list[Signal]:
        facts = page_facts(content, self.max_text_chars, self.max_elements)
        found = (rule.evaluate(facts, self.get_name(), self.limits) for rule in self.rules)
        return [signal for signal in found if signal is not None]

    @classmethod
    def get_examples(cls) -> list[Example]:
        return examples.for_detector(cls.name)


@REGISTRY.register
class PageVocabularyDetector(PageRuleDetector):
    """Piracy wording in six+ languages: "watch free", "ver gratis", "nonton gratis"..."""

    name = "page_vocabulary"


@REGISTRY.register
class PageStructureDetector(PageRuleDetector):
    """Piracy structure: video-host embeds, manifests, magnets, lockers, release names."""

    name = "page_structure"


@REGISTRY.register
class PageMoneyDetector(PageRuleDetector):
    """How pirates earn and operate: pop-under ads, crypto, IPTV plans, devices, credentials."""

    name = "page_money"


@REGISTRY.register
class PageCounterDetector(PageRuleDetector):
    """Counter-evidence: licensed services, news, distro downloads, reviews, FTA lists, guides."""

    name = "page_counter"
