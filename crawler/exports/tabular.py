"""CSV (one row per domain, its site's columns repeated) and JSON Lines (one site a line)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from crawler.exports.rows import DOMAIN_FIELDS, SITE_FIELDS, SiteRecord

CSV_COLUMNS = [*SITE_FIELDS, *(f"domain_{name}" if name != "domain" else name
                              for name in DOMAIN_FIELDS)]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Defuse spreadsheet formulas (``=HYPERLINK(...)``) in text that came from the web."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_csv(records: Iterable[SiteRecord], out: IO[str]) -> int:
    """Write the rows; returns how many sites were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        site = [_cell(record.site[name]) for name in SITE_FIELDS]
        for domain in record.domains:
            writer.writerow([*site, *(_cell(domain[name]) for name in DOMAIN_FIELDS)])
        count += 1
    return count


def write_jsonl(records: Iterable[SiteRecord], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps({**record.site, "domains": record.domains}, sort_keys=True) + "\n")
        count += 1
    return count
