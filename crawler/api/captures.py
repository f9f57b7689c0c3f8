"""Evidence captures (WARC records of flagged pages) of the sites a caller may see.

The rows and WARC files belong to ``crawler.evidence``; this module only finds the captures
of a visible site (by its domains) and reads the exact bytes a row points at, re-checking
them against the row's SHA-256 so a tampered file is reported, never silently served.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.api.scope import Principal, visible
from crawler.registry.models import Domain


def _model() -> Any:
    try:
        return importlib.import_module("crawler.evidence.models").EvidenceCapture
    except (ImportError, AttributeError):
        return None


EvidenceCapture = _model()
AVAILABLE = EvidenceCapture is not None


def for_site(session: Session, site_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Captures of an already visible site's domains, newest first."""
    domains = select(Domain.domain).where(Domain.site_id == site_id)
    rows = session.scalars(
        select(EvidenceCapture)
        .where(EvidenceCapture.domain.in_(domains))
        .order_by(EvidenceCapture.fetched_at.desc(), EvidenceCapture.id.desc())
        .limit(limit)
    )
    return [
        {"id": c.id, "url": c.url, "domain": c.domain, "fetched_at": c.fetched_at.isoformat(),
         "http_status": c.http_status, "content_type": c.content_type,
         "ip_address": c.ip_address, "redirect_chain": c.redirect_chain, "score": c.score,
         "payload_sha256": c.payload_sha256, "warc_sha256": c.warc_sha256,
         "record_hash": c.record_hash, "warc": f"/api/v1/captures/{c.id}/warc"}
        for c in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class WarcBytes:
    site_id: int
    name: str
    data: bytes
    sha256: str
    verified: bool


def read_visible(
    session: Session, principal: Principal, capture_id: int, evidence_dir: Path
) -> WarcBytes | None:
    """The WARC bytes of a capture whose site the caller may see, else None (404)."""
    found = session.execute(
        select(EvidenceCapture, Domain.site_id)
        .join(Domain, Domain.domain == EvidenceCapture.domain)
        .where(EvidenceCapture.id == capture_id, visible(principal, Domain.site_id))
    ).first()
    if found is None:
        return None
    capture, site_id = found
    path = evidence_dir / Path(capture.warc_file).name  # a name, never a path from the row
    try:
        with path.open("rb") as handle:
            handle.seek(capture.warc_offset)
            data = handle.read(capture.warc_length)
    except OSError:
        data = b""
    digest = hashlib.sha256(data).hexdigest()
    return WarcBytes(site_id, path.name, data, capture.warc_sha256, digest == capture.warc_sha256)
