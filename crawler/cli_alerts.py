"""``isop alerts``: what is pending, delivered or failing; ``isop alerts deliver`` sends them.

Apprise URLs carry tokens and passwords: nothing here prints one unmasked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.cli import _config, fail, user_errors

if TYPE_CHECKING:
    from crawler.alerts.deliver import Deliverer

STATUS_CHOICES = ("pending", "failed", "delivered", "unrouted")


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(STATUS_CHOICES), default=None, help="Only these.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert per line.")
@click.pass_context
def alerts(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """List alerts of the outbox: counts by status, then the newest (failed ones first)."""
    if ctx.invoked_subcommand is not None:
        return
    from crawler.alerts import queue
    from crawler.alerts.db import open_engine
    from crawler.alerts.models import OutboxAlert

    with user_errors():
        engine = open_engine(_config(ctx).database_url)
    try:
        query = select(OutboxAlert).order_by(
            (OutboxAlert.status == "failed").desc(), OutboxAlert.id.desc()
        )
        if status is not None:
            query = query.where(OutboxAlert.status == status)
        with Session(engine) as session:
            rows = session.scalars(query.limit(limit)).all()
        counts = queue.counts(engine)
    finally:
        engine.dispose()
    if as_json:
        for row in rows:
            click.echo(json.dumps(_as_dict(row), sort_keys=True))
        return
    console = Console(highlight=False)
    console.print("  ".join(f"{name}: {n}" for name, n in counts.items()))
    table = Table("id", "status", "event", "site", "domain", "tries", "next / done", "error")
    for row in rows:
        when = row.delivered_at if row.status == "delivered" else row.next_attempt_at
        table.add_row(
            str(row.id),
            row.status,
            row.event,
            str(row.site_id),
            str(row.payload.get("domain", "")),
            str(row.attempts),
            when.strftime("%Y-%m-%d %H:%M:%S") if when else "",
            (row.last_error or "")[:80],
        )
    console.print(table)


def _as_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "event": row.event,
        "site_id": row.site_id,
        "payload": row.payload,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "next_attempt_at": row.next_attempt_at.isoformat(),
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
        "targets_done": row.targets_done,
        "last_error": row.last_error,
    }


@alerts.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="Serve /metrics, /healthz and /readyz on this port (default: metrics.port; "
                   "0: none).")  # fmt: skip
@click.pass_context
def deliver(ctx: click.Context, once: bool, metrics_port: int | None) -> None:
    """Deliver alerts through Apprise until SIGTERM/SIGINT (several deliverers may run).

    With a metrics port, the same small server as ``isop worker`` answers: ``/metrics``,
    ``/healthz`` (the delivery loop is alive: it beats every round and before every send) and
    ``/readyz`` (the last round reached the outbox).
    """
    from crawler.alerts import queue
    from crawler.alerts.db import open_engine
    from crawler.alerts.deliver import Deliverer
    from crawler.alerts.metrics import AlertMetrics
    from crawler.alerts.routing import redact_url
    from crawler.health import GracefulStop, HealthServer, Heartbeat

    config = _config(ctx)
    if not any(route.urls for route in config.alerts.routes):
        fail("alerts.routes: no route with an Apprise URL is configured; nothing to deliver to")
    port = config.metrics.port if metrics_port is None else metrics_port
    with user_errors():
        engine = open_engine(config.database_url)
    metrics = AlertMetrics()
    metrics.watch_outbox(lambda: queue.counts(engine))
    server: HealthServer | None = None
    try:
        try:
            deliverer = Deliverer(engine, config.alerts, metrics)
        except ValueError as exc:
            fail(f"alerts.routes: {exc}")
        if port:
            # One send may take a connect and a read timeout; an unreachable outbox, a 30 s
            # pause: a silent loop beyond that is hung, not slow.
            heartbeat = Heartbeat(max(config.metrics.liveness_timeout,
                                      2 * config.alerts.timeout + 30))  # fmt: skip
            deliverer.beat = heartbeat.beat
            server = HealthServer(port, config.metrics.address, registry=metrics.registry,
                                  live=heartbeat.check,
                                  ready=lambda: _ready(deliverer))  # fmt: skip
            try:
                server.start()
            except OSError as exc:
                fail(f"--metrics-port {port}: cannot listen ({exc.strerror or exc})")
            click.echo(f"metrics and health on port {server.port}", err=True)
        for route in config.alerts.routes:
            shown = ", ".join(redact_url(u) for u in route.urls) or "(no URL)"
            click.echo(f"route {route.name}: {shown}", err=True)
        if once:
            n = deliverer.drain()
            click.echo(f"{datetime.now(UTC):%H:%M:%S} handled {n} alert(s)", err=True)
            return
        stop = GracefulStop.install()
        click.echo(f"delivering as {deliverer.token}; SIGTERM to stop", err=True)
        try:
            deliverer.run(stop.event)
        finally:
            stop.restore()
        click.echo("stopped cleanly", err=True)
    finally:
        if server is not None:
            server.stop()
        engine.dispose()


def _ready(deliverer: Deliverer) -> tuple[bool, str]:
    """Ready while the last delivery round reached the outbox."""
    error = deliverer.outbox_error
    return (False, error) if error else (True, "outbox reachable")


@alerts.command()
@click.argument("ids", nargs=-1, type=int)
@click.option(
    "--unrouted", is_flag=True, help="Also alerts no route wanted (after a config change)."
)
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...], unrouted: bool) -> None:
    """Make failed alerts (all, or IDS) due now instead of at their backoff time."""
    from crawler.alerts import queue
    from crawler.alerts.db import open_engine

    with user_errors():
        engine = open_engine(_config(ctx).database_url)
    try:
        n = queue.retry(engine, list(ids), unrouted)
    finally:
        engine.dispose()
    click.echo(f"{n} alert(s) due again")
