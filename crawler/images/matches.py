"""From a detector's match signal to the evidence writer's :class:`ImageMatch`.

The ``image_phash`` signal describes its reference in words (the detector interface carries
no structured payload); the evidence needs the reference by id.  So the catalog the detector
used is asked again for that image, which is cheap (a few ms) and happens only for matches.
If the catalog changed in between and no longer matches, the words are kept and the id is
left empty: the site page then falls back to reading the words (:mod:`crawler.api.matched`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawler.evidence.images import ImageEvidenceWriter, ImageMatch
from detectors.base import Signal
from detectors.image.hashing import ImageRejected
from detectors.pipeline import DetectionPipeline

MATCH_DETECTOR = "image_phash"


def catalog_of(detection: DetectionPipeline) -> Any:
    """The ``image_phash`` detector's catalog (``ImageCatalog``), None if not configured."""
    for stage in detection.stages:
        if stage.name == MATCH_DETECTOR:
            return getattr(stage.detector, "catalog", None)
    return None


def image_match(catalog: Any, body: bytes, signals: list[Signal]) -> ImageMatch:
    """The match behind ``signals`` (the detector's, for this image's ``body``)."""
    best = max(signals, key=lambda s: s.score)
    try:
        found = catalog.match(body) if catalog is not None else None
    except ImageRejected:
        found = None
    if found is None:
        return ImageMatch(reference_id=None, work="(see the evidence)", kind="unknown",
                          catalog="", source="", distance=-1, dhash_distance=None,
                          score=best.score, evidence=best.evidence)  # fmt: skip
    ref = found.reference
    return ImageMatch(reference_id=ref.id, work=ref.work, kind=ref.kind, catalog=ref.catalog,
                      source=ref.source, distance=found.phash_distance,
                      dhash_distance=found.dhash_distance, score=best.score,
                      evidence=best.evidence)  # fmt: skip


def open_writer(config: Any, user_agent: str, inc: Callable[[str, int], None],
                catalog: Any) -> WriterHandle:  # fmt: skip
    """The evidence writer of a crawl process: the registry and the WARC store (when
    ``evidence.enabled``).  Reference thumbnails are read from ``catalog``'s folder (a file
    read, safe off the thread that opened the catalog)."""
    from crawler.evidence.anchor import LOG_NAME, HeadLog
    from crawler.evidence.warc import WarcStore
    from crawler.pipelines.evidence import crawler_identity
    from crawler.registry import Registry
    from crawler.registry.migrate import open_migrated
    from crawler.registry.policy import policy_from

    engine = open_migrated(config.database_url)
    store, anchor = None, None
    if config.evidence.enabled:
        identity = crawler_identity(config.evidence.operator, user_agent)
        store = WarcStore(config.data_dir / "evidence", config.evidence.warc_max_bytes, identity)
        anchor = HeadLog(store.directory / LOG_NAME,
                         getattr(config.evidence, "anchor_key", "") or "")  # fmt: skip

    def reference_thumbnail(ref: int) -> bytes | None:
        return catalog.thumbnail(ref) if catalog is not None else None

    return WriterHandle(engine, Registry(engine, policy_from(config)), store,
                        reference_thumbnail, inc, anchor)  # fmt: skip


class WriterHandle(ImageEvidenceWriter):
    """The writer plus what it opened, closed together."""

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.anchor is not None:
            self.anchor.close()
        self.registry.close()
