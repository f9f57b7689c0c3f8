"""One detection pipeline per crawler, shared by the spider and the item pipeline.

The spider evaluates a page as soon as it is fetched, because the verdict ranks the links
found on it (best-first discovery: a link on a flagged page outranks one on a clean page);
the item pipeline then only evaluates what the spider did not.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import PageItem
from detectors.base import Content, Verdict
from detectors.pipeline import DetectionPipeline

EVALUATED_KINDS = frozenset({"html", "playlist", "panel"})


def detection_for(crawler: Crawler) -> DetectionPipeline:
    """The crawler's detection pipeline, built once from ``detectors.config``."""
    existing: DetectionPipeline | None = getattr(crawler, "_isop_detection", None)
    if existing is None:
        path = crawler.settings["ISOP_CONFIG"].detectors_path
        if not path.exists():
            raise NotConfigured(f"detector config {path} not found: set detectors.config")
        existing = DetectionPipeline.from_config(path)
        crawler._isop_detection = existing  # type: ignore[attr-defined]
    return existing


def evaluate(crawler: Crawler, item: PageItem) -> Verdict | None:
    """Judge a fetched document once; counts evaluations and flags in the crawl stats."""
    if item.verdict is not None or item.kind not in EVALUATED_KINDS:
        return item.verdict
    content = Content(url=item.url, kind=item.kind, body=item.body, content_type=item.content_type)
    item.verdict = detection_for(crawler).evaluate(content)
    stats = crawler.stats
    if stats is not None:
        stats.inc_value(f"isop/pages_evaluated/{item.kind}")
        if item.verdict.infringing:
            stats.inc_value("isop/pages_flagged")
    return item.verdict
