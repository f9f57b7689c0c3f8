"""Evidence captures: one row per flagged page, chained by hash, pointing into a WARC file.

Each row's ``record_hash`` covers every field of the row and the previous row's hash
(``prev_hash``), so editing, deleting or reordering a row breaks the chain after it; the
WARC bytes it points at are covered by ``warc_sha256``.  ``prev_hash`` is unique: two
writers appending at once can't both extend the same record (a fork), the loser retries.

``seq`` is the row's position in the chain (1, 2, 3...), given under the chain lock.  It is
not hashed (rows written before it existed got theirs from the 0801 migration); ``verify``
checks it against the position, and the chain-head log and investigators' notes name heads
as ``SEQ:HASH``, so a removed tail shows as the first missing sequence number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.registry.models import DOMAIN_LEN, SHA256_HEX_LEN, Base
from crawler.registry.types import UTCDateTime

GENESIS = "0" * SHA256_HEX_LEN


class EvidenceCapture(Base):
    """A flagged page as fetched: where its WARC records are and what was found in it."""

    __tablename__ = "evidence_captures"
    __table_args__ = (Index("ix_evidence_captures_domain", "domain"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    crawler: Mapped[str] = mapped_column(Text)  # who fetched: operator, user agent, host
    http_status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    redirect_chain: Mapped[list[str]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    kind: Mapped[str | None] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    payload_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))  # the body
    warc_file: Mapped[str] = mapped_column(String(255))  # name under <data_dir>/evidence/
    warc_offset: Mapped[int] = mapped_column(Integer)
    warc_length: Mapped[int] = mapped_column(Integer)
    warc_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN))  # those exact bytes
    prev_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)
    record_hash: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)  # position in the chain
