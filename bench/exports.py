"""Exports with observations: sites/s of JSON Lines with each site's observation summary read
a batch of sites at a time (ours) vs one summary per site (baseline), SQLite.

A generated registry: N confirmed sites, each with one domain and 5 observed releases. Rows:
CSV and JSON Lines without observations (the floor), CSV with the count columns, JSON Lines
with summaries as ``isop export`` reads them (:func:`crawler.exports.observed.attach`: one
grouped count query and one ``row_number()`` query per 200 sites), and the baseline: the same
summaries read by :func:`crawler.registry.observed.summarize`, the site page's per-site query
(two queries per site that has observations).
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from crawler.alerts.db import open_engine
from crawler.exports import observed, rows, tabular
from crawler.registry.models import Domain, Site
from crawler.registry.observations import ObservationRow
from crawler.registry.observed import summarize

SEEN = datetime(2026, 11, 20, 8, tzinfo=UTC)
PER_SITE = 5


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


def _fill(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Site), [
            {"id": i, "label": f"site{i}.to", "kind": "index", "status": "confirmed",
             "score": 0.9, "max_score": 0.9, "first_seen": SEEN, "last_seen": SEEN}
            for i in range(1, n + 1)])  # fmt: skip
        conn.execute(insert(Domain), [
            {"domain": f"site{i}.to", "site_id": i, "role": "primary",
             "how_linked": "discovered", "first_seen": SEEN, "last_seen": SEEN}
            for i in range(1, n + 1)])  # fmt: skip
        conn.execute(insert(ObservationRow), [
            {"domain": f"site{i % n + 1}.to", "kind": "listing", "key": f"btih:{i:040x}",
             "url": f"http://site{i % n + 1}.to/t/{i}", "first_seen": SEEN, "last_seen": SEEN,
             "times_seen": 1, "score": 0.5, "infringing": i % 3 == 0,
             "facts": {"title": f"Release.{i}.2024.1080p", "infohashes": [f"{i:040x}"],
                       "seeders": i % 977}}
            for i in range(n * PER_SITE)])  # fmt: skip


def _per_site(records: Any, engine: Engine) -> Iterator[rows.SiteRecord]:
    """The baseline: each site's summary by the site page's own query."""
    with Session(engine) as session, session.begin():
        for record in records:
            summary = summarize(session, [d["domain"] for d in record.domains])
            yield dataclasses.replace(record, observations=summary)


def run(quick: bool = False) -> dict[str, Any]:
    n = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(f"sqlite:///{Path(tmp) / 'registry.db'}")
        try:
            _fill(engine, n)
            cases: list[tuple[str, Callable[[], int]]] = [
                ("csv, no observations", lambda: tabular.write_csv(rows.sites(engine), _Discard())),
                ("csv + counts (ours)", lambda: tabular.write_csv(
                    observed.attach(rows.sites(engine), engine, detail=False), _Discard())),
                ("jsonl, no observations",
                 lambda: tabular.write_jsonl(rows.sites(engine), _Discard())),
                ("jsonl + summaries, batched (ours)", lambda: tabular.write_jsonl(
                    observed.attach(rows.sites(engine), engine), _Discard())),
                ("jsonl + summaries, per site (baseline)", lambda: tabular.write_jsonl(
                    _per_site(rows.sites(engine), engine), _Discard())),
            ]  # fmt: skip
            seconds: dict[str, float] = {}
            for name, case in cases:
                started = time.perf_counter()
                assert case() == n
                seconds[name] = time.perf_counter() - started
        finally:
            engine.dispose()
    table = Table(title=f"Exports of {n:,} sites with {n * PER_SITE:,} observations (SQLite)")
    for column in ("export", "seconds", "sites/s"):
        table.add_column(column, justify="left" if column == "export" else "right")
    for name, took in seconds.items():
        table.add_row(name, f"{took:.2f}", f"{n / took:,.0f}")
    ours = seconds["jsonl + summaries, batched (ours)"]
    baseline = seconds["jsonl + summaries, per site (baseline)"]
    table.caption = f"batched summaries: {baseline / ours:.1f}x the per-site baseline"
    Console().print(table)
    return {"sites": n, "observations": n * PER_SITE, "jsonl_sites_per_s": n / ours,
            "baseline_sites_per_s": n / baseline, "speedup": baseline / ours,
            "csv_counts_sites_per_s": n / seconds["csv + counts (ours)"]}  # fmt: skip
