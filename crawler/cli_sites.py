"""``isop sites`` (the registry, its history, analysts' verdicts) and ``isop monitor``."""

from __future__ import annotations

import getpass
import json
import os
from typing import Any

import click
from rich.console import Console

from crawler.cli import _config, _warn, fail, user_errors
from crawler.registry import Registry


def _open(ctx: click.Context) -> Registry:
    from crawler.registry.policy import policy_from

    config = _config(ctx)
    with user_errors():
        return Registry.open(config.database_url, policy_from(config))


def _analyst(name: str | None) -> str:
    if name:
        return name
    try:
        return os.environ.get("ISOP_ANALYST") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site per line.")
@click.pass_context
def sites(ctx: click.Context, as_json: bool) -> None:
    """Print the registry of sites (or run a subcommand on one site)."""
    if ctx.invoked_subcommand is not None:
        return
    from crawler.registry.render import sites_table

    registry = _open(ctx)
    try:
        rows = registry.sites()
    finally:
        registry.close()
    if as_json:
        for site in rows:
            click.echo(json.dumps(site.to_json(), ensure_ascii=False))
    else:
        _console().print(sites_table(rows))


@sites.command("show")
@click.argument("domain")
@click.option("--json", "as_json", is_flag=True, help="The whole history as one JSON object.")
@click.pass_context
def show(ctx: click.Context, domain: str, as_json: bool) -> None:
    """The full history of the site owning DOMAIN: domains with their proofs, statuses,
    scores, checks, analysts' verdicts and notes, evidence."""
    from crawler.registry.observed import for_site
    from crawler.registry.render import history_tables, observations_table

    name = domain.strip().lower()
    registry = _open(ctx)
    try:
        history = _on_domain(lambda: registry.history(name), domain)
        # No site owns it yet (nothing flagged there), but the spiders may have seen things.
        observed = for_site(registry, [d.domain for d in history.domains] if history else [name])
    finally:
        registry.close()
    if history is None:
        if observed.empty:
            fail(f"{domain}: no site in the registry owns this domain")
        _orphan(name, observed, as_json)
        return
    if as_json:
        click.echo(json.dumps({**history.to_json(), "observations": observed.to_json()},
                              ensure_ascii=False))  # fmt: skip
        return
    console = _console()
    for table in [*history_tables(history), *observations_table(observed)]:
        console.print(table)


def _console() -> Console:
    """Rich without markup: the registry's text is scraped (a URL holding "[/b]" is no
    closing tag, and raised MarkupError); styles come from ``Text`` objects only."""
    return Console(markup=False)


def _orphan(domain: str, observed: Any, as_json: bool) -> None:
    """What was observed on a domain that no site owns (exit 0: it is an answer)."""
    from crawler.registry.render import observations_table

    if as_json:
        found = {"domain": domain, "site": None, "observations": observed.to_json()}
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    click.echo(f"{domain}: no site in the registry owns this domain; observed on it:")
    console = _console()
    for table in observations_table(observed):
        console.print(table)


def _on_domain(call: Any, domain: str) -> Any:
    try:
        return call()
    except ValueError as exc:
        fail(f"{domain}: {exc}")


def _verdict_command(name: str, method: str, summary: str) -> click.Command:
    @click.command(name, help=summary)
    @click.argument("domain")
    @click.option("--note", default=None, help="Why (kept with the verdict).")
    @click.option("--analyst", default=None, help="Who decides (default: $ISOP_ANALYST or login).")
    @click.pass_context
    def command(ctx: click.Context, domain: str, note: str | None, analyst: str | None) -> None:
        registry = _open(ctx)
        try:
            act = getattr(registry, method)
            site = _on_domain(lambda: act(domain.strip().lower(), _analyst(analyst), note), domain)
        finally:
            registry.close()
        click.echo(f"{site.label}: {site.status}")

    return command


sites.add_command(
    _verdict_command("confirm", "confirm", "Confirm the site owning DOMAIN as infringing.")
)
sites.add_command(
    _verdict_command(
        "false-positive",
        "false_positive",
        "Mark the site owning DOMAIN a false positive (kept for detector evaluation).",
    )
)


@sites.command("note")
@click.argument("domain")
@click.argument("text")
@click.option("--analyst", default=None, help="Who writes (default: $ISOP_ANALYST or login).")
@click.pass_context
def note(ctx: click.Context, domain: str, text: str, analyst: str | None) -> None:
    """Add an analyst's note to the history of the site owning DOMAIN."""
    registry = _open(ctx)
    try:
        site = _on_domain(lambda: registry.note(domain.strip().lower(), _analyst(analyst), text),
                          domain)  # fmt: skip
    finally:
        registry.close()
    click.echo(f"{site.label}: note added")


@click.command("monitor")
@click.option("--proxy", default=None, help="Send every request through this HTTP proxy URL.")
@click.option("--max-checks", type=click.IntRange(min=0), default=0,
              help="Stop after this many recorded checks (0 = run until stopped).")  # fmt: skip
@click.option("--duration", type=click.FloatRange(min=0), default=0.0,
              help="Stop after this many seconds (0 = run until stopped).")  # fmt: skip
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="Serve Prometheus metrics on this port.")  # fmt: skip
@click.pass_context
def monitor(ctx: click.Context, proxy: str | None, max_checks: int, duration: float,
            metrics_port: int | None) -> None:  # fmt: skip
    """Revisit registered sites on their schedule; record checks, follow hops, update statuses.

    Runs until SIGTERM or Ctrl-C (clean stop: scheduled checks stay in the frontier)."""
    from crawler.monitoring.run import run_monitor

    config = _config(ctx)
    with user_errors():
        if proxy is not None:
            config = config.with_overrides(crawl={"proxy": proxy})
        if metrics_port is not None:
            config = config.with_overrides(metrics={"port": metrics_port})
        reason = run_monitor(config, max_checks=max_checks, duration=duration)
    if reason not in ("finished", "shutdown", "max_checks", "closespider_timeout"):
        fail(f"monitor ended abnormally: {reason}")
    if reason != "shutdown":
        _warn(f"monitor stopped ({reason})")
