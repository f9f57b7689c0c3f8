"""The alert outbox table, on the registry's metadata so one migration chain covers it.

A row is written in the same transaction as the registry change that caused it (see
``crawler.alerts.outbox.record_alert``); the deliverer later claims it, sends it and marks it.
``dedup_key`` is unique: one alert per event, however many writers saw that event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.registry.models import Base
from crawler.registry.types import UTCDateTime

DEDUP_KEY_LEN = 255
STATUSES = ("pending", "failed", "delivered", "unrouted")


class OutboxAlert(Base):
    """One alert to deliver; ``status`` is pending until sent, failed while it keeps failing."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    dedup_key: Mapped[str] = mapped_column(String(DEDUP_KEY_LEN), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A claim: the deliverer holding it until then; an expired lease may be taken by another.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Delivery targets ("route/index") that already accepted it: a retry skips them.
    targets_done: Mapped[list[str]] = mapped_column(JSON)
