"""Typed items (releases, torrents, playlists, panels, guides, players, HLS, portals, shops)
judged by the detectors of their content kind and stored in the registry as observations.

Before this pipeline, only pages and images reached the detectors and the registry; what the
per-kind spiders parsed was dropped at the end of the pipelines. Now, per typed item:

1. judged: :func:`crawler.facts.content.content_for` hands its facts, typed, to the detectors
   configured for its kind (``listing``: title matcher and listing links; ``playlist``, DASH
   manifests included (``dash_drm``: licensed DRM is counter-evidence); ``panel``) and the
   fused verdict goes on ``item.verdict``, as for a page;
2. observed: :func:`crawler.facts.record.observe` names it by a natural key (an infohash, a
   panel line, a playlist URL...) with compact facts, and the row is upserted in the
   registry's ``observations`` (revisits update, never duplicate);
3. a flagged item is also evidence on the site of its own domain, written exactly as a flagged
   page (site created or updated, the site rule applied).

Writes use the registry pipeline's group commit (batches on one writer thread, retried while
the database is away), with stats under ``isop/facts/``. An item with missing or hostile
fields is counted (``isop/facts/errors/<kind>``) and passed on untouched, never a crash.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.detection import detection_for
from crawler.facts.content import content_for
from crawler.facts.record import KIND_OF, FactsError, observe
from crawler.pipelines.registry import RegistryPipeline
from crawler.registry import Registry, observations, validate
from crawler.registry.policy import policy_from
from detectors.pipeline import DetectionPipeline

logger = logging.getLogger(__name__)

#: What a hostile item raises on its way through the adapters (counted, then skipped).
_BAD_ITEM = (FactsError, ValueError, TypeError, AttributeError, KeyError, IndexError,
             RecursionError, UnicodeError)  # fmt: skip


class FactsPipeline(RegistryPipeline):
    """Judge and store every typed item; flagged ones become evidence on their site."""

    STATS = "isop/facts"
    ERRORS = "isop/facts/write_errors"

    def __init__(self, registry: Registry, stats: Any, detection: DetectionPipeline,
                 batch_size: int = 200, flush_s: float = 0.05) -> None:  # fmt: skip
        super().__init__(registry, stats, batch_size, flush_s)
        self.detection = detection

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FactsPipeline:
        config = crawler.settings["ISOP_CONFIG"]
        detection = detection_for(crawler)  # fails at start on a broken detector config
        registry = Registry.open(config.database_url, policy_from(config))
        pipeline = cls(registry, crawler.stats, detection, config.registry.batch_size,
                       config.registry.flush_ms / 1000)  # fmt: skip
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        kind = KIND_OF.get(type(item))
        if kind is None:
            return item
        try:
            payload = self.prepare(item)
        except _BAD_ITEM as exc:
            self.stats.inc_value(f"{self.STATS}/errors/{kind}")
            logger.info("Typed %s item skipped (%s): %s", kind, type(exc).__name__,
                        str(exc)[:200])  # fmt: skip
            return item
        await self.submit(payload)
        return item

    def prepare(self, item: Any) -> dict[str, Any]:
        """Judge ``item`` (its verdict set on it) and build its write; raises on bad fields."""
        kind = KIND_OF[type(item)]
        if getattr(item, "verdict", None) is None:
            content = content_for(item)
            if content is not None:
                item.verdict = self.detection.evaluate(content)
                self.stats.inc_value(f"{self.STATS}/evaluated/{kind}")
        observation = observations.validated(observe(item))
        verdict = getattr(item, "verdict", None)
        evidence = None
        if verdict is not None and verdict.infringing:
            self.stats.inc_value(f"{self.STATS}/flagged/{kind}")
            evidence = observations.verdict_kwargs(observation, validate.domain(item.domain),
                                                   verdict)  # fmt: skip
        return {"url": observation.url, "infringing": evidence is not None,
                "observation": observation, "verdict": evidence}  # fmt: skip

    def write(self, batch: list[dict[str, Any]]) -> Any:
        return observations.write(self.registry, batch)
