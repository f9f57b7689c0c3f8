"""Rich tables for the operator commands (the registry's own table is in registry.render)."""

from __future__ import annotations

from rich.table import Table

from crawler.fleet import FleetStatus

SHARD_COLUMNS = (
    ("shard", "shard"), ("server", "server"), ("queued", "queued"),
    ("scheduled", "scheduled"), ("leased", "leased"), ("domains ready", "domains_ready"),
    ("expired recovered", "expired"), ("dead letters", "dead_letters"),
    ("pushed", "pushed"), ("duplicates", "duplicates"), ("over budget", "over_budget"),
)  # fmt: skip


def fleet_tables(status: FleetStatus) -> list[Table]:
    shards = Table(title="Frontier shards", caption=(
        f"{status.total('queued')} queued, {status.total('scheduled')} scheduled, "
        f"{status.total('leased')} leased, {status.seeds_waiting} seeds waiting"
    ))  # fmt: skip
    for title, _ in SHARD_COLUMNS:
        shards.add_column(title, justify="left" if title == "server" else "right")
    for row in status.shards:
        shards.add_row(*(str(row[key]) for _, key in SHARD_COLUMNS))
    workers = Table(title="Live workers", caption=f"{len(status.workers)} live")
    for title in ("worker", "state", "pages", "flagged", "leases held", "last heartbeat"):
        workers.add_column(title, justify="left" if title in ("worker", "state") else "right")
    for w in status.workers:
        workers.add_row(w.id, w.state, str(w.pages), str(w.flagged), str(w.leases),
                        f"{w.heartbeat_age:.1f}s ago")  # fmt: skip
    return [shards, workers]
