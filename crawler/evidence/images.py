"""Keep a matched image as evidence: its bytes in a WARC, a thumbnail pair in the registry.

For an image the catalog matched (see :mod:`crawler.images.pipeline`), :class:`ImageEvidenceWriter`

1. re-encodes a thumbnail of it (:func:`crawler.console.thumbs.evidence_thumbnail`: size and
   pixel caps, raster formats only; hostile bytes give a counted error and no thumbnail,
   the match is still kept) and copies the reference's catalog thumbnail beside it;
2. writes its bytes as fetched to a WARC ``response`` record, with the request, the page that
   showed it and the match in the ``metadata`` record, through the evidence writer
   (:class:`~crawler.evidence.warc.WarcStore`), the hash chain (:func:`chain.append`) and
   the chain-head log (:class:`~crawler.evidence.anchor.HeadLog`);
3. adds registry evidence to the site owning the domain (its signal names the reference id);
4. stores an :class:`~crawler.evidence.image_models.ImageEvidence` row tying all of it.

A match on a domain no site owns yet is *pending*: steps 1, 2 and 4 happen all the same, and
:meth:`ImageEvidenceWriter.attach_pending` gives it registry evidence once a site owns the
domain (the crawl's image pipeline calls it as it goes and when it closes).  Readers find
image evidence by the site's domains, so even a pending row shows once the site exists.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.console.thumbs import NotAnImage, evidence_thumbnail, sniff_type
from crawler.evidence import chain
from crawler.evidence.anchor import HeadLog
from crawler.evidence.capture import fetch_from
from crawler.evidence.image_models import ImageEvidence
from crawler.evidence.warc import Fetch, WarcStore
from crawler.items import ImageItem
from crawler.registry import Registry
from crawler.registry.db import write_engine
from crawler.registry.models import Domain, Evidence, Site

logger = logging.getLogger(__name__)
DETECTOR = "image_phash"
ATTACH_BATCH = 200


@dataclass(frozen=True)
class ImageMatch:
    """The catalog reference an image matched, as the detector found it."""

    reference_id: int | None
    work: str
    kind: str
    catalog: str
    source: str
    distance: int  # pHash Hamming distance
    dhash_distance: int | None
    score: float
    evidence: str  # the signal's own words
    hash_name: str = "phash"


def thumbnail_error_kind(error: NotAnImage) -> str:
    """A short stats key for why a thumbnail could not be made."""
    text = str(error)
    for needle, kind in (("markup", "markup"), ("pixels", "too_many_pixels"),
                         ("Bomb", "too_many_pixels"), ("bytes exceeds", "too_large")):  # fmt: skip
        if needle in text:
            return kind
    return "undecodable"


def fetch_of_image(item: ImageItem) -> Fetch:
    """The WARC writer's view of an image item (its capture when the spider kept one)."""
    capture = item.capture or {}
    chain_urls = capture.get("redirect_chain")
    return fetch_from(capture, url=item.url, status=int(capture.get("status", 200)),
                      body=item.body, fetched_at=item.fetched_at, content_type=item.content_type,
                      redirect_chain=[str(u) for u in chain_urls] if isinstance(chain_urls, list)
                      else [])  # fmt: skip


class ImageEvidenceWriter:
    """Stores matched images (blocking: call it off the reactor)."""

    def __init__(self, engine: Engine, registry: Registry, store: WarcStore | None,
                 reference_thumbnail: Callable[[int], bytes | None],
                 count: Callable[[str, int], None],
                 anchor: HeadLog | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.anchor = anchor  # the chain-head log: each capture's new head is written there
        self.registry = registry
        self.store = store
        self.reference_thumbnail = reference_thumbnail
        self._count = count

    def count(self, key: str, value: int = 1) -> None:
        self._count(key, value)

    def signals(self, item: ImageItem, match: ImageMatch) -> list[dict[str, Any]]:
        return [{"detector": DETECTOR, "name": "catalog_match", "score": match.score,
                 "evidence": f"{match.evidence} (shown on {item.page_url})",
                 "reference": match.reference_id}]  # fmt: skip

    def record(self, item: ImageItem, match: ImageMatch) -> ImageEvidence | None:
        """Keep ``item`` (a matched image) as evidence; None when it is already kept."""
        url_sha256 = hashlib.sha256(item.url.encode("utf-8", "surrogatepass")).hexdigest()
        with Session(self.engine) as session:
            if session.scalar(select(ImageEvidence.id).where(
                    ImageEvidence.domain == item.domain, ImageEvidence.url_sha256 == url_sha256,
                    ImageEvidence.image_sha256 == item.sha256)) is not None:  # fmt: skip
                self.count("evidence/duplicate")
                return None
        explanation = (f"The {item.role} at {item.url}, shown on {item.page_url}, is a "
                       f"{match.evidence}")  # fmt: skip
        signals = self.signals(item, match)
        row = ImageEvidence(
            domain=item.domain, image_url=item.url, url_sha256=url_sha256,
            page_url=item.page_url, role=item.role, content_type=item.content_type[:500],
            image_sha256=item.sha256, fetched_at=item.fetched_at,
            reference_id=match.reference_id, work=match.work[:300], reference_kind=match.kind,
            catalog=match.catalog[:64], reference_source=match.source, hash_name=match.hash_name,
            distance=match.distance, dhash_distance=match.dhash_distance, score=match.score,
            explanation=explanation,
        )  # fmt: skip
        self._thumbnails(row, item.body)
        row.capture_id = self._capture(item, match, explanation, signals)
        for attempt in (1, 2):
            site = self._record_evidence(row, signals)
            if site is not None:
                row.site_id, row.attached_at = site.id, datetime.now(UTC)
                row.evidence_id = self._evidence_id(site.id, url_sha256, item.sha256)
            try:
                with (Session(write_engine(self.engine), expire_on_commit=False) as session,
                      session.begin()):  # fmt: skip
                    session.add(row)
                break
            except IntegrityError:
                if attempt == 1 and site is not None and not self._site_exists(site.id):
                    # A relink merged the site into another between its evidence and this
                    # row (the foreign key refused it): its evidence moved with it, so ask
                    # the registry again for the domain's site, and keep the match there.
                    self.count("evidence/site_merged_meanwhile")
                    row.site_id = row.evidence_id = row.attached_at = None
                    continue
                self.count("evidence/duplicate")  # another process kept the same image
                return None
        self.count("evidence/kept" if site is not None else "evidence/pending")
        return row

    def _site_exists(self, site_id: int) -> bool:
        with Session(self.engine) as session:
            return session.get(Site, site_id) is not None

    def _thumbnails(self, row: ImageEvidence, body: bytes) -> None:
        try:
            thumb = evidence_thumbnail(body)
        except NotAnImage as exc:
            row.thumbnail_error = str(exc)[:500]
            self.count(f"thumbnail_errors/{thumbnail_error_kind(exc)}")
        else:
            row.thumbnail, row.thumbnail_type = thumb.data, thumb.content_type
            row.thumbnail_sha256 = hashlib.sha256(thumb.data).hexdigest()
        ref = row.reference_id
        reference = self.reference_thumbnail(ref) if ref is not None and ref > 0 else None
        kind = sniff_type(reference) if reference else None
        if reference is not None and kind is not None:
            row.reference_thumbnail, row.reference_thumbnail_type = reference, kind
            row.reference_thumbnail_sha256 = hashlib.sha256(reference).hexdigest()

    def _capture(self, item: ImageItem, match: ImageMatch, explanation: str,
                 signals: list[dict[str, Any]]) -> int | None:  # fmt: skip
        """The chained capture of the image's bytes as fetched; None (counted) on failure."""
        if self.store is None:
            return None
        fetch = fetch_of_image(item)
        metadata = {"domain": item.domain, "shown_on": item.page_url, "role": item.role,
                    "redirect_chain": fetch.redirect_chain,
                    "match": {"reference": match.reference_id, "work": match.work,
                              "kind": match.kind, "catalog": match.catalog,
                              "source": match.source, "hash": match.hash_name,
                              "distance": match.distance, "dhash_distance": match.dhash_distance},
                    "verdict": {"score": match.score, "kind": None, "explanation": explanation,
                                "signals": signals}}  # fmt: skip
        try:
            try:
                stored = self.store.append(fetch, metadata)
            except FileExistsError:  # another store of this process named its file alike
                stored = self.store.append(fetch, metadata)
            captured = chain.append(self.engine, {
                "domain": item.domain, "url": item.url, "fetched_at": item.fetched_at,
                "crawler": self.store.crawler, "http_status": fetch.status,
                "content_type": item.content_type[:500], "ip_address": fetch.ip_address,
                "redirect_chain": fetch.redirect_chain, "score": float(match.score),
                "kind": None, "explanation": explanation, "signals": signals,
                "payload_sha256": stored.payload_sha256, "warc_file": stored.warc_file,
                "warc_offset": stored.offset, "warc_length": stored.length,
                "warc_sha256": stored.sha256,
            })  # fmt: skip
        except (OSError, ValueError, IntegrityError) as exc:
            self.count(f"evidence/capture_errors/{type(exc).__name__}")
            logger.error("WARC capture of the image %s failed: %s", item.url, exc)
            return None
        head = chain.head_of([captured])
        if self.anchor is not None and head is not None:
            try:
                self.anchor.write(head)
            except OSError as exc:  # the row is committed: only its anchoring is late
                self.count("evidence/anchor_errors")
                logger.error("Chain head %s not anchored: %s", head, exc)
        return int(captured.id)

    def _record_evidence(self, row: Any, signals: list[dict[str, Any]]) -> Any:
        """The site's registry evidence for ``row`` (an ImageEvidence or a row of its
        columns); None when no site owns the domain, or (counted) when the write failed:
        the match then stays pending and is tried again by ``attach_pending``."""
        try:
            return self.registry.record_evidence(
                domain=row.domain, url=row.image_url, score=row.score,
                explanation=row.explanation, signals=signals, content_sha256=row.image_sha256,
                seen_at=row.fetched_at)  # fmt: skip
        except Exception as exc:  # crawl data and a shared database: never lose the match
            self.count(f"evidence/registry_errors/{type(exc).__name__}")
            logger.error("Registry evidence for the image %s not written: %s", row.image_url, exc)
            return None

    def _evidence_id(self, site_id: int, url_sha256: str, content_sha256: str) -> int | None:
        with Session(self.engine) as session:
            return session.scalar(select(Evidence.id).where(
                Evidence.site_id == site_id, Evidence.url_sha256 == url_sha256,
                Evidence.content_sha256 == content_sha256))  # fmt: skip

    def attach_pending(self, limit: int = ATTACH_BATCH) -> int:
        """Give registry evidence to pending matches whose domain a site now owns."""
        with Session(self.engine) as session:
            pending = session.execute(
                select(ImageEvidence.id, ImageEvidence.domain, ImageEvidence.image_url,
                       ImageEvidence.score, ImageEvidence.explanation, ImageEvidence.page_url,
                       ImageEvidence.reference_id, ImageEvidence.image_sha256,
                       ImageEvidence.url_sha256, ImageEvidence.fetched_at)
                .join(Domain, Domain.domain == ImageEvidence.domain)
                .where(ImageEvidence.site_id.is_(None))
                .order_by(ImageEvidence.id).limit(limit)
            ).all()  # fmt: skip
        attached = 0
        for row in pending:
            signals = [{"detector": DETECTOR, "name": "catalog_match", "score": row.score,
                        "evidence": row.explanation, "reference": row.reference_id}]
            site = self._record_evidence(row, signals)
            if site is None:  # the domain changed hands meanwhile, or the write failed
                continue
            evidence_id = self._evidence_id(site.id, row.url_sha256, row.image_sha256)
            with Session(write_engine(self.engine)) as session, session.begin():
                kept = session.get(ImageEvidence, row.id)
                if kept is not None and kept.site_id is None:
                    kept.site_id, kept.evidence_id = site.id, evidence_id
                    kept.attached_at = datetime.now(UTC)
                    attached += 1
        if attached:
            self.count("evidence/attached", attached)
        return attached
