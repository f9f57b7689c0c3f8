"""The matched images of a case file: each pair's thumbnails as files, described for the manifest.

For every image evidence row of the case's domains (:mod:`crawler.evidence.images`), the two
thumbnails (our re-encoding of the image the site showed, and the catalog reference's as it
was at match time) are written under ``images/`` in the case directory, each with its SHA-256
in the manifest; the image's own bytes as fetched are in the case WARC (its capture is one of
the case's captures, found by ``capture_id``).  File names are ours (row id and half), never
anything scraped.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crawler.console.thumbs import sniff_type
from crawler.evidence.image_models import ImageEvidence

IMAGES_DIR = "images"
_SUFFIX = {"image/png": "png", "image/jpeg": "jpg"}


def _write(out: Path, name: str, data: bytes | None) -> dict[str, Any] | None:
    kind = sniff_type(data) if data else None
    if data is None or kind is None:
        return None
    path = f"{IMAGES_DIR}/{name}.{_SUFFIX[kind]}"
    (out / path).write_bytes(data)
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "content_type": kind,
            "bytes": len(data)}  # fmt: skip


def write_case_images(engine: Engine, domains: list[str], out: Path,
                      captures: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """Write the thumbnail pairs of ``domains``' matched images into ``out``; their entries."""
    offsets = {c["id"]: c["warc"]["case_offset"] for c in captures}
    entries: list[dict[str, Any]] = []
    with Session(engine) as session:
        query = (select(ImageEvidence).where(ImageEvidence.domain.in_(domains))
                 .order_by(ImageEvidence.id).execution_options(yield_per=50))  # fmt: skip
        for row in session.execute(query).scalars():
            if not entries:
                (out / IMAGES_DIR).mkdir(exist_ok=True)
            evidence = _write(out, f"{row.id}-evidence", row.thumbnail)
            reference = _write(out, f"{row.id}-reference", row.reference_thumbnail)
            entries.append({
                "id": row.id, "domain": row.domain, "image_url": row.image_url,
                "page_url": row.page_url, "role": row.role, "image_sha256": row.image_sha256,
                "fetched_at": row.fetched_at.astimezone(UTC).isoformat(),
                "site_id": row.site_id, "evidence_id": row.evidence_id,
                "capture_id": row.capture_id,
                "warc_case_offset": offsets.get(row.capture_id),
                "match": {"reference": row.reference_id, "work": row.work,
                          "kind": row.reference_kind, "catalog": row.catalog,
                          "source": row.reference_source, "hash": row.hash_name,
                          "distance": row.distance, "dhash_distance": row.dhash_distance,
                          "score": row.score},
                "thumbnail": evidence, "thumbnail_error": row.thumbnail_error,
                "reference_thumbnail": reference,
            })  # fmt: skip
            session.expunge(row)
    return entries
