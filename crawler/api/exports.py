"""Streamed exports of the sites a caller may see: CSV and JSON Lines, page by page.

Rows are produced from the keyset-paginated scoped query, so memory stays flat whatever
the registry's size and a scoped user's export holds exactly what their list shows.
Spreadsheet formula injection is defused: a cell starting with = + - @ gets a quote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from crawler.api.db import Database
from crawler.api.queries import SiteFilters, iter_sites
from crawler.api.scope import Principal

CSV_COLUMNS = ("id", "label", "domains", "kind", "status", "score", "max_score",
               "first_seen", "last_seen", "tags", "evidence_count")  # fmt: skip
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream(db: Database, principal: Principal, fmt: str, filters: SiteFilters) -> Iterator[bytes]:
    """Yield the export in chunks; the read transaction lives as long as the stream."""
    with db.reading() as session:
        rows = iter_sites(session, principal, filters)
        if fmt == "jsonl":
            for row in rows:
                yield (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for count, row in enumerate(rows, 1):
            writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
            if count % 200 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
