"""Image evidence: a fetched image that matched a catalog reference, kept as it was judged.

One row per (domain, image URL, image bytes).  It points at the WARC capture of the image's
bytes as fetched (``capture_id``, a row of the evidence chain), at the registry evidence row
of the site that showed it (``evidence_id``; NULL while no site owns ``domain`` yet: such a
match is *pending* and is attached when the site appears), and names the catalog reference
it matched by id (``reference_id``), with the reference's description copied in so the case
stays readable after the catalog drops it.

Both thumbnails of the pair are our own re-encodings (PNG or JPEG, at most 320 px): the
pirate's image and the reference as the catalog held it at match time.  The pirate's own
bytes are only ever in the WARC, never served.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crawler.registry.models import DOMAIN_LEN, SHA256_HEX_LEN, TITLE_LEN, Base
from crawler.registry.types import UTCDateTime


class ImageEvidence(Base):
    """A matched image: its capture, its thumbnail, the reference it matched and how closely."""

    __tablename__ = "image_evidence"
    __table_args__ = (
        UniqueConstraint("domain", "url_sha256", "image_sha256", name="uq_image_evidence_image"),
        Index("ix_image_evidence_domain", "domain"),
        Index("ix_image_evidence_site_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))  # of the page that showed it
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="SET NULL"))
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_captures.id"))
    image_url: Mapped[str] = mapped_column(Text)
    url_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))
    page_url: Mapped[str] = mapped_column(Text)  # the page that showed the image
    role: Mapped[str] = mapped_column(String(16))  # poster, thumbnail, logo, favicon
    content_type: Mapped[str] = mapped_column(Text)  # as the server said
    image_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))  # the bytes as fetched
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The match: catalog reference id (negative: a config sample), what it is, how close.
    reference_id: Mapped[int | None] = mapped_column(Integer)
    work: Mapped[str] = mapped_column(String(TITLE_LEN))
    reference_kind: Mapped[str] = mapped_column(String(16))
    catalog: Mapped[str] = mapped_column(String(64))
    reference_source: Mapped[str] = mapped_column(Text)
    hash_name: Mapped[str] = mapped_column(String(16))  # the distance below is of this hash
    distance: Mapped[int] = mapped_column(Integer)
    dhash_distance: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)  # as written to the site's evidence
    # Our re-encoded thumbnails; NULL with the reason when the bytes could not be decoded.
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    thumbnail_type: Mapped[str | None] = mapped_column(String(32))
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(SHA256_HEX_LEN))
    thumbnail_error: Mapped[str | None] = mapped_column(Text)
    reference_thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    reference_thumbnail_type: Mapped[str | None] = mapped_column(String(32))
    reference_thumbnail_sha256: Mapped[str | None] = mapped_column(String(SHA256_HEX_LEN))
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # to its site
