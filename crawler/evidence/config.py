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
