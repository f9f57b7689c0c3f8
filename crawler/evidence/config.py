"""The ``evidence:`` config section (owned here; ``crawler.config`` only names it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EvidenceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Capture a WARC record and a chained evidence row for every flagged page.
    enabled: bool = True
    # A WARC file is closed and a new one started past this size (bytes, gzip).
    warc_max_bytes: int = Field(100_000_000, ge=10_000)
    # Who captured the evidence, written into every WARC and the case file.
    operator: str = "I-SOP crawler"
    # Group commit: captures written together share one WARC fsync and one transaction.
    # A batch is cut at batch_size, or flush_ms after the first capture finds the writer idle.
    batch_size: int = Field(100, ge=1, le=10_000)
    flush_ms: int = Field(50, ge=0, le=10_000)
    # HMAC-SHA256 key signing each line of the chain-head log (evidence/chain-heads.log).
    # Empty: lines are unsigned.  Set it from a secret file: ISOP_EVIDENCE__ANCHOR_KEY_FILE.
    anchor_key: str = Field("", repr=False)
