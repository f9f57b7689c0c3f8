"""Heuristic detector for M3U/M3U8 channel lists (pirate IPTV vs legal free-to-air lists).

Evidence: premium channel brands and "VIP/PPV" groups, Xtream-Codes stream URLs with the
subscriber's credentials in the path, credentials in query strings; counter-evidence: official
broadcaster/CDN hosts and no credentials anywhere. HLS video manifests are not channel lists
and yield nothing. Vocabulary and patterns: ``config/heuristic/playlist.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from detectors.base import Content, Detector, Example, Signal
from detectors.heuristic import examples
from detectors.heuristic.m3u import Playlist, playlist_of
from detectors.heuristic.playlist_checks import build_check
from detectors.heuristic.rules import Rule, parse_rules
from detectors.registry import REGISTRY


@REGISTRY.register
class PlaylistDetector(Detector):
    """Judges a channel list by its channels, groups and stream URLs."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"playlist"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.limits: Mapping[str, Any] = config.get("limits") or {}
        self.max_entries = int(config.get("max_entries", 50_000))
        self.rules: list[Rule[Playlist]] = parse_rules(
            config.get("rules"), build_check, self.get_name()
        )

    @classmethod
    def get_name(cls) -> str:
        return "playlist_iptv"

    def detect(self, content: Content) -> list[Signal]:
        playlist = playlist_of(content, self.max_entries)
        if playlist.is_hls or not playlist.entries:
            return []
        found = (rule.evaluate(playlist, self.get_name(), self.limits) for rule in self.rules)
        return [signal for signal in found if signal is not None]

    @classmethod
    def get_examples(cls) -> list[Example]:
        return examples.for_detector(cls.get_name())
