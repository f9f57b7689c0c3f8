"""Run the configured detectors on a content and fuse their signals into a verdict.

``evaluate()`` never raises: the crawler feeds it whatever the web returns (invalid UTF-8,
20 MB pages, binary garbage), and one bad page must not stop a worker. A detector that fails
yields no signals and is counted in ``errors``; ops read the counters (``stats()``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.base import Content, Detector, DetectorError, Signal, Verdict
from detectors.config import Limits, PipelineConfig, load_config
from detectors.fusion import Fusion
from detectors.registry import DetectorRegistry, default_registry, load_plugins
from detectors.site import SiteConfig

logger = logging.getLogger(__name__)

#: Counter key for failures outside any one detector (bad input, fusion).
PIPELINE = "pipeline"


@dataclass(frozen=True)
class Stage:
    """A configured detector and the content kinds it runs on."""

    detector: Detector
    kinds: frozenset[str]

    @property
    def name(self) -> str:
        return self.detector.get_name()


class DetectionPipeline:
    """Ordered detectors + fusion, with counters of runs, failures and time."""

    def __init__(
        self,
        stages: Sequence[Stage],
        fusion: Fusion,
        limits: Limits | None = None,
        site: SiteConfig | None = None,
    ):
        self.stages = tuple(stages)
        self.fusion = fusion
        self.limits = limits or Limits()
        self.site = site or SiteConfig()
        self.evaluated = 0
        self.runs: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.slow: Counter[str] = Counter()
        self.seconds: dict[str, float] = defaultdict(float)
        self.flagged: Counter[str] = Counter()

    @classmethod
    def from_config(
        cls,
        source: str | Path | Mapping[str, Any] | PipelineConfig | None = None,
        registry: DetectorRegistry | None = None,
    ) -> DetectionPipeline:
        """Build from ``config/detectors.yaml`` (default), another path, or a mapping.

        Fails fast with DetectorError on an unknown detector, a bad setting or a plugin that
        does not import: better at start than at the first page.
        """
        config = source if isinstance(source, PipelineConfig) else load_config(source)
        load_plugins(config.plugins)
        registry = registry if registry is not None else default_registry()
        stages = []
        for entry in config.detectors:
            if not entry.enabled:
                continue
            detector_cls = registry.get(entry.name)
            try:
                detector = detector_cls(config.settings_for(entry.name))
            except DetectorError:
                raise
            except Exception as exc:
                raise DetectorError(
                    f"detector {entry.name!r} rejected its settings: {exc}"
                ) from exc
            kinds = frozenset(entry.applies_to) if entry.applies_to else detector_cls.applies_to
            stages.append(Stage(detector, kinds))
        return cls(stages, Fusion(config.fusion), config.limits, config.site)

    @property
    def detector_names(self) -> list[str]:
        """Names of the detectors that run, in order."""
        return [stage.name for stage in self.stages]

    def evaluate(self, content: Content) -> Verdict:
        """The fused verdict for ``content``; never raises."""
        try:
            return self._evaluate(content)
        except Exception:
            self.errors[PIPELINE] += 1
            logger.warning("detection pipeline failed on %r", content, exc_info=True)
            return Verdict(0.0, False, None, (), "Not evaluated: the detection pipeline failed.")

    def _evaluate(self, content: Content) -> Verdict:
        if not isinstance(content, Content):
            raise TypeError(f"expected Content, got {type(content).__name__}")
        self.evaluated += 1
        capped = content.truncated(self.limits.max_bytes)
        signals: list[Signal] = []
        for stage in self.stages:
            if capped.kind in stage.kinds:
                signals.extend(self._run(stage, capped))
        verdict = self.fusion.fuse(signals)
        if verdict.infringing:
            self.flagged[verdict.kind or "unknown"] += 1
        return verdict

    def _run(self, stage: Stage, content: Content) -> list[Signal]:
        name = stage.name
        self.runs[name] += 1
        started = time.perf_counter()
        try:
            found = stage.detector.detect(content)
            if not isinstance(found, list) or not all(isinstance(s, Signal) for s in found):
                raise DetectorError(f"detector {name!r} returned something other than Signals")
            return found[: self.limits.max_signals_per_detector]
        except Exception:
            self.errors[name] += 1
            logger.warning("detector %s failed on %s", name, content.url, exc_info=True)
            return []
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] += elapsed
            if elapsed > self.limits.slow_seconds:
                self.slow[name] += 1

    def stats(self) -> dict[str, Any]:
        """A snapshot of the counters, for metrics and logs."""
        return {
            "evaluated": self.evaluated,
            "runs": dict(self.runs),
            "errors": dict(self.errors),
            "slow": dict(self.slow),
            "seconds": {name: round(value, 6) for name, value in self.seconds.items()},
            "flagged": dict(self.flagged),
        }
