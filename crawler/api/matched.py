"""Which catalog reference each piece of image evidence matched: the site detail's
``matched_images`` and the console's thumbnail pairs.

The crawl keeps every matched image (:mod:`crawler.evidence.images`): our re-encoded
thumbnail of it, the reference's thumbnail as the catalog held it, and the reference id,
distance and hash.  :func:`image_evidence` lists those of a site (by its domains, so a match
made before the site existed shows too) and :func:`visible_thumbnail` serves one half of a
pair to a caller who may see the site (else None: 404, like the site itself).

Evidence written before that (or by another writer) names its reference only in its signals:
directly (a ``reference`` key holding the catalog id) or in its evidence text: "copy of the
poster of 'Dune' (catalog default, reference upload:ana; pHash ...".  The latter is resolved
by catalog, work and source (a source the detector's length limit cut is matched as a
prefix); a reference removed since is simply not shown.  Anything unexpected in a signal
(they are crawl data) is skipped, never an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import HTTPException
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from crawler.api.scope import Principal, visible
from crawler.console.thumbs import sniff_type
from crawler.evidence.image_models import ImageEvidence
from crawler.registry.models import Domain

logger = logging.getLogger(__name__)

IMAGE_DETECTOR = "image_phash"
MAX_PER_EVIDENCE = 4
# The detector shortens its evidence to a limit (240 characters, with "…"): a long source
# may be cut, so it is then matched as a prefix.
_EVIDENCE = re.compile(
    r"copy of the (?P<kind>\w+) of (?P<q>['\"])(?P<work>.*?)(?P=q) "
    r"\(catalog (?P<catalog>[^,]{1,64}), reference (?P<source>.{1,500}?)(?:; pHash|…)"
)


@dataclass(frozen=True)
class MatchedReference:
    ref: int
    work: str
    kind: str
    catalog: str
    thumbnail: bool

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "work": self.work, "kind": self.kind, "catalog": self.catalog,
                "thumbnail": (f"/api/v1/catalog/images/{self.ref}/thumbnail"
                              if self.thumbnail else None)}  # fmt: skip


def _ref_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _wanted(signal: Mapping[str, Any]) -> tuple[int | None, tuple[str, str, str] | None]:
    """(a catalog id, or (catalog, work, source) to look up) a signal points at."""
    ref = _ref_id(signal.get("reference"))
    if ref is not None:
        return ref, None
    evidence = signal.get("evidence")
    if signal.get("detector") != IMAGE_DETECTOR or not isinstance(evidence, str):
        return None, None
    found = _EVIDENCE.search(evidence[:2000])
    if found is None:
        return None, None
    source = found["source"] + ("…" if found.group(0).endswith("…") else "")
    return None, (found["catalog"], found["work"], source)


def matched_references(
    evidence: Iterable[Mapping[str, Any]], open_catalog: Callable[[], Any]
) -> dict[int, list[MatchedReference]]:
    """Evidence id -> the stored references its signals matched (the catalog opened once,
    only when some signal names a reference)."""
    wanted: dict[int, list[tuple[int | None, tuple[str, str, str] | None]]] = {}
    for row in evidence:
        signals = row.get("signals")
        if not isinstance(signals, list):
            continue
        keys = [_wanted(s) for s in signals if isinstance(s, Mapping)]
        keys = [k for k in keys if k != (None, None)]
        if keys and isinstance(row.get("id"), int):
            wanted[row["id"]] = keys[:MAX_PER_EVIDENCE]
    if not wanted:
        return {}
    try:
        images = open_catalog()
    except Exception as exc:  # no catalog feature, broken settings: the page still renders
        logger.warning("Catalog unavailable for the site page: %s", exc)
        return {}
    try:
        if not images.exists():
            return {}
        return {eid: refs for eid, keys in wanted.items()
                if (refs := _resolve(images, keys))}  # fmt: skip
    finally:
        images.close()


def _resolve(images: Any, keys: list[tuple[int | None, tuple[str, str, str] | None]]
             ) -> list[MatchedReference]:  # fmt: skip
    found: dict[int, MatchedReference] = {}
    for ref, described in keys:
        if ref is not None:
            reference = images.lookup(ref)
            candidates = [reference] if reference is not None else []
        elif described is not None:
            catalog, work, source = described
            cut = source.endswith("…")
            candidates = [r for r in images.references(catalog=catalog, work=work, limit=50)
                          if r.work == work and (r.source.startswith(source[:-1]) if cut
                                                 else r.source == source)]  # fmt: skip
        else:
            continue
        for r in candidates:
            found.setdefault(r.id, MatchedReference(r.id, r.work, r.kind, r.catalog,
                                                    images.has_thumbnail(r.id)))  # fmt: skip
    return list(found.values())[:MAX_PER_EVIDENCE]


MAX_IMAGES = 200
_BYTES = (ImageEvidence.thumbnail, ImageEvidence.reference_thumbnail)


def image_evidence(session: Session, site_id: int, base: str) -> list[dict[str, Any]]:
    """The matched images of an already visible site, newest first; thumbnail URLs under
    ``base`` ("/api/v1" or "/console")."""
    domains = select(Domain.domain).where(Domain.site_id == site_id)
    rows = session.scalars(
        select(ImageEvidence).options(*(defer(c) for c in _BYTES))
        .where(ImageEvidence.domain.in_(domains))
        .order_by(ImageEvidence.fetched_at.desc(), ImageEvidence.id.desc()).limit(MAX_IMAGES)
    )  # fmt: skip
    return [_entry(row, base) for row in rows]


def _entry(row: ImageEvidence, base: str) -> dict[str, Any]:
    own = f"{base}/image-evidence/{row.id}"
    reference_thumb = f"{own}/reference" if row.reference_thumbnail_type else None
    reference = {"ref": row.reference_id, "work": row.work, "kind": row.reference_kind,
                 "catalog": row.catalog, "source": row.reference_source,
                 "thumbnail": reference_thumb}  # fmt: skip
    return {
        "image_evidence_id": row.id, "evidence_id": row.evidence_id,
        **{k: v for k, v in reference.items() if k != "source"},
        "reference": reference,
        "evidence_thumbnail": f"{own}/thumbnail" if row.thumbnail_type else None,
        "thumbnail_error": row.thumbnail_error,
        "distance": row.distance, "hash": row.hash_name, "dhash_distance": row.dhash_distance,
        "score": row.score, "image_url": row.image_url, "page_url": row.page_url,
        "role": row.role, "image_sha256": row.image_sha256,
        "fetched_at": row.fetched_at.isoformat(), "pending": row.site_id is None,
        "capture_id": row.capture_id,
        "warc": f"/api/v1/captures/{row.capture_id}/warc" if row.capture_id else None,
    }  # fmt: skip


def matched_images(evidence: Iterable[Mapping[str, Any]], images: list[dict[str, Any]],
                   open_catalog: Callable[[], Any]) -> list[dict[str, Any]]:  # fmt: skip
    """The site detail's ``matched_images``: the kept matched images, then, for evidence that
    has none, the references its signals name (no evidence thumbnail, no distance)."""
    covered = {i["evidence_id"] for i in images if i["evidence_id"] is not None}
    rest = [e for e in evidence if e.get("id") not in covered]
    older = [{"evidence_id": evidence_id, **m.to_json(), "evidence_thumbnail": None,
              "distance": None, "hash": None}
             for evidence_id, refs in matched_references(rest, open_catalog).items()
             for m in refs]  # fmt: skip
    return images + older


Half = Literal["thumbnail", "reference"]


def visible_thumbnail(session: Session, principal: Principal, image_id: int,
                      which: Half) -> tuple[bytes, str] | None:  # fmt: skip
    """(bytes, content type) of one half of a pair whose site the caller may see, else None.
    The type is read from the bytes (only PNG or JPEG is ever served)."""
    column = ImageEvidence.thumbnail if which == "thumbnail" else ImageEvidence.reference_thumbnail
    data = session.scalar(
        select(column).join(Domain, Domain.domain == ImageEvidence.domain)
        .where(ImageEvidence.id == image_id, visible(principal, Domain.site_id))
    )  # fmt: skip
    kind = sniff_type(data) if data else None
    return (data, kind) if data and kind else None


def thumbnail_response(found: tuple[bytes, str] | None) -> Response:
    """The HTTP answer for ``visible_thumbnail``'s result, the same from the API and the
    console: 404 when out of scope or absent, else the bytes, privately cached, not sniffed."""
    if found is None:
        raise HTTPException(status_code=404, detail="no such image")
    return Response(found[0], media_type=found[1],
                    headers={"Cache-Control": "private, max-age=300",
                             "X-Content-Type-Options": "nosniff"})  # fmt: skip
