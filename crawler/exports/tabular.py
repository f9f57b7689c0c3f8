"""CSV (one row per domain, its site's columns repeated, then how many things of each kind
the spiders observed on the site) and JSON Lines (one site a line, with its ``observations``
summary: counts, top releases with infohash, works, playlists, panels, hosts, manifests)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from crawler.exports.observed import COUNT_COLUMNS, count_cells
from crawler.exports.rows import DOMAIN_FIELDS, SITE_FIELDS, SiteRecord

CSV_COLUMNS = [*SITE_FIELDS, *(f"domain_{name}" if name != "domain" else name
                              for name in DOMAIN_FIELDS), *COUNT_COLUMNS]  # fmt: skip
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
        counts = count_cells(record.observations)
        for domain in record.domains:
            writer.writerow([*site, *(_cell(domain[name]) for name in DOMAIN_FIELDS), *counts])
        count += 1
    return count


def write_jsonl(records: Iterable[SiteRecord], out: IO[str]) -> int:
    count = 0
    for record in records:
        line: dict[str, object] = {**record.site, "domains": record.domains}
        if record.observations is not None:
            line["observations"] = record.observations.to_json()
        out.write(json.dumps(line, sort_keys=True, default=str) + "\n")
        count += 1
    return count
