"""Declarative models of the registry: a site is an operation, its domains come and go.

Vocabularies (kind, status, role) are plain strings checked by the store, so adding a value
needs no table rebuild on SQLite; invariants that will never change (score in [0, 1], one
owner per domain, one evidence row per page version) are enforced by the database itself,
which is what keeps concurrent writers honest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crawler.registry.types import UTCDateTime

# Named constraints: Alembic can then alter them on every backend (SQLite batch mode included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOMAIN_LEN = 253  # the longest possible DNS name
SHA256_HEX_LEN = 64
TITLE_LEN = 300


class Base(DeclarativeBase):
    """Shared metadata; ``Base.metadata`` is what the migrations must match."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Site(Base):
    """One piracy operation, whatever domains it currently lives on."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        CheckConstraint("max_score >= 0 AND max_score <= 1", name="max_score_range"),
        Index("ix_sites_score", "score"),
        Index("ix_sites_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    kind: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    # Lifecycle (revision 0101): when the status last changed, the analyst's verdict if any
    # ("confirmed" / "false_positive": a verdict outranks every score), the operator cluster
    # (sites sharing identifiers), and the monitor's schedule: the next check and how long
    # the monitor that scheduled it holds the claim (an expired claim is scheduled again).
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verdict: Mapped[str | None] = mapped_column(String(16))
    operator_cluster: Mapped[str | None] = mapped_column(String(64))
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    domains: Mapped[list[Domain]] = relationship(back_populates="site")


class Domain(Base):
    """A registered domain and the site that owns it (exactly one, enforced by ``unique``)."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    how_linked: Mapped[str] = mapped_column(String(32))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(back_populates="domains")


class Evidence(Base):
    """A page that a detector judged infringing, as it was when captured.

    Unique on (site, url hash, content hash): re-crawling an unchanged page adds nothing, a
    changed page adds a row.  The URL is keyed by its SHA-256 so that long URLs stay within
    PostgreSQL's b-tree entry limit.
    """

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("site_id", "url_sha256", "content_sha256", name="uq_evidence_page"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    url_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))
    score: Mapped[float] = mapped_column(Float)
    kind: Mapped[str | None] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScoreHistory(Base):
    """Every fused score a site received, to plot and to explain status changes."""

    __tablename__ = "score_history"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        Index("ix_score_history_site_at", "site_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Check(Base):
    """One liveness probe of a site's domain by the monitor (up, down, moved, parked...)."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    redirect_chain: Mapped[list[str]] = mapped_column(JSON)
    response_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Revision 0101: what the check concluded (up, down, parked, seized, moved), a fingerprint
    # of the page's text and whether it differs from the previous check's.
    outcome: Mapped[str | None] = mapped_column(String(16))
    fingerprint: Mapped[str | None] = mapped_column(String(SHA256_HEX_LEN))
    fingerprint_changed: Mapped[bool | None] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(String(TITLE_LEN))


class SiteEvent(Base):
    """The history of a site: status changes, analyst verdicts and notes, who and when.

    ``kind`` is "status" (``old``/``new`` are statuses), "verdict" (``new`` is the analyst's
    label) or "note"; ``actor`` names the source ("score", "monitor", "analyst:NAME").
    """

    __tablename__ = "site_events"
    __table_args__ = (Index("ix_site_events_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    old: Mapped[str | None] = mapped_column(String(16))
    new: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
