"""Heuristic detector for MPEG-DASH manifests: licensed DRM is counter-evidence.

Licensed services wrap their streams in a DRM that needs a licence server (Widevine,
PlayReady, FairPlay...): a restreamer of pirated content has no licence to hand out, so a
manifest under such a DRM argues that the stream is licensed (family ``counter``). What a
manifest does NOT say is just as important: a DRM-free live DASH stream is what many pirate
restreams serve, and many legal free ones too, so it raises nothing either way (its page is
judged as a page). ClearKey is no licensed DRM: its keys travel in the clear.

The detector reads the manifest the streaming spider parsed (``Content.meta["dash"]``, a
:class:`DashFacts` built by :mod:`crawler.facts.content`); content without one yields
nothing. Which systems count, and how much, is data: ``config/heuristic/dash.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

from detectors.base import Content, Detector, DetectorError, Example, Signal
from detectors.heuristic.rules import CheckBase, Hit, Rule, parse_rules
from detectors.registry import REGISTRY


@dataclass(frozen=True)
class DashFacts:
    """What a DASH manifest says about protection and liveness (from the crawler's parse)."""

    drm_systems: tuple[str, ...]  # widevine, playready, fairplay, clearkey, cenc, other...
    live: bool
    segment_hosts: tuple[str, ...] = ()


class DrmSystemsCheck(CheckBase):
    """The manifest names at least ``min_count`` of ``systems``; ``live`` restricts the check
    to live (true) or on-demand (false) manifests."""

    type: Literal["drm_systems"]
    systems: list[str] = Field(min_length=1)
    live: bool | None = None


Matcher = Callable[[DashFacts], Hit]


def build_check(raw: Mapping[str, Any]) -> tuple[CheckBase, Matcher]:
    """Validate a DASH check from config and compile its matcher."""
    try:
        check = DrmSystemsCheck.model_validate(raw)
    except ValidationError as exc:
        raise DetectorError(f"invalid dash check: {exc}") from exc
    wanted = {s.strip().lower() for s in check.systems}

    def match(facts: DashFacts) -> Hit:
        if check.live is not None and facts.live != check.live:
            return Hit(0)
        found = [s for s in dict.fromkeys(facts.drm_systems) if s.lower() in wanted]
        kind = "live" if facts.live else "on-demand"
        return Hit(len(found), (f"{kind} manifest protected by {', '.join(found)}",) if found
                   else ())  # fmt: skip

    return check, match


def facts_of(content: Content) -> DashFacts | None:
    """The parsed manifest a crawler item handed over, if any."""
    given = content.meta.get("dash")
    return given if isinstance(given, DashFacts) else None


@REGISTRY.register
class DashDetector(Detector):
    """Counter-evidence from DASH manifests under a licensed DRM."""

    # DASH manifests are stream lists, judged with the other playlists (no kind of their own).
    applies_to: ClassVar[frozenset[str]] = frozenset({"playlist"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.limits: Mapping[str, Any] = config.get("limits") or {}
        self.rules: list[Rule[DashFacts]] = parse_rules(
            config.get("rules"), build_check, self.get_name()
        )

    @classmethod
    def get_name(cls) -> str:
        return "dash_drm"

    def detect(self, content: Content) -> list[Signal]:
        facts = facts_of(content)
        if facts is None:
            return []
        found = (rule.evaluate(facts, self.get_name(), self.limits) for rule in self.rules)
        return [signal for signal in found if signal is not None]

    @classmethod
    def get_examples(cls) -> list[Example]:
        def manifest(url: str, systems: tuple[str, ...], live: bool) -> Content:
            return Content(url, "playlist", b"", text="",
                           meta={"dash": DashFacts(systems, live)})  # fmt: skip

        licensed = manifest("https://svod.example/manifests/dune.mpd",
                            ("cenc", "widevine", "playready"), False)  # fmt: skip
        restream = manifest("http://cdn.restream.example/live/sky1/manifest.mpd", (), True)
        clearkey = manifest("http://cdn.restream.example/live/bein/manifest.mpd",
                            ("cenc", "clearkey"), True)  # fmt: skip
        m3u = Content("http://lists.example/a.m3u", "playlist", b"#EXTM3U\n")
        return [
            Example(licensed, True, "a licensed service's film under Widevine and PlayReady"),
            Example(restream, False, "a DRM-free live restream: no counter-evidence"),
            Example(clearkey, False, "ClearKey: keys in the clear, no licence server"),
            Example(m3u, False, "an M3U list is no DASH manifest"),
        ]
