"""The ``isop`` command.

User-fixable errors (bad URL, unreachable server, malformed config or seeds) print one
line naming the thing and the cause and exit with status 2: never a traceback.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from rich.console import Console

from crawler.config import Config, ConfigError, load_config

err_console = Console(stderr=True, highlight=False)
USER_ERROR = 2


def fail(message: str) -> NoReturn:
    """Print one line naming what is wrong and exit 2."""
    err_console.print(f"[bold red]isop:[/] {message}", soft_wrap=True)
    sys.exit(USER_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into one line and exit status 2."""
    from crawler.redis_server import RedisUnavailable
    from crawler.registry import RegistryUnavailable
    from crawler.seeds import SeedsError

    try:
        yield
    except (ConfigError, RedisUnavailable, RegistryUnavailable, SeedsError) as exc:
        fail(str(exc))


def _config(ctx: click.Context) -> Config:
    config: Config = ctx.obj
    return config


# Subcommands living in modules of their own, imported only when used, so that `isop crawl`
# does not pay for the registry, numpy or the API at start-up (seconds on a busy machine).
LAZY_COMMANDS: dict[str, str] = {
    "sites": "crawler.cli_sites:sites",
    "monitor": "crawler.cli_sites:monitor",
    "catalog": "crawler.cli_catalog:catalog",
    "eval-images": "crawler.cli_catalog:eval_images",
    "works": "crawler.cli_works:works",
    "channels": "crawler.cli_works:channels",
    "sandbox": "crawler.sandbox.cli:sandbox",
    "hops": "crawler.cli_hops:hops",
    "worker": "crawler.cli_worker:worker",
    "alerts": "crawler.cli_alerts:alerts",
    "evidence": "crawler.cli_evidence:evidence",
    "export": "crawler.cli_export:export",
    "serve": "crawler.cli_api:serve",
    "users": "crawler.cli_api:users",
    "tokens": "crawler.cli_api:tokens",
    "detect": "crawler.cli_detect:detect",
    "explain": "crawler.cli_detect:explain",
    "eval": "crawler.cli_detect:eval_labels",
    "calibrate": "crawler.cli_calibrate:calibrate",
    "rescore": "crawler.cli_detect:rescore",
}


class LazyGroup(click.Group):
    """A click group whose listed subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), default=None,
    help="YAML file overriding config/defaults.yaml (ISOP_* variables override both).",
)  # fmt: skip
@click.version_option(package_name="isop-crawler")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """I-SOP: find and watch the sites and servers behind online piracy."""
    with user_errors():
        ctx.obj = load_config(config_file)


@cli.command()
@click.option(
    "--seeds",
    "seeds_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File of seed URLs, one a line, added to the shared frontier.",
)
@click.option("--proxy", default=None, help="Send every request through this HTTP proxy URL.")
@click.option(
    "--idle-exit",
    type=click.FloatRange(min=0),
    default=None,
    help="Exit 0 after this many seconds with nothing to do.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on this port.",
)
@click.option("--spider", default="discovery", show_default=True, help="Spider to run.")
@click.pass_context
def crawl(
    ctx: click.Context,
    seeds_file: str | None,
    proxy: str | None,
    idle_exit: float | None,
    metrics_port: int | None,
    spider: str,
) -> None:
    """Run a crawler worker on the shared frontier (resumes what is already queued)."""
    from crawler.worker import run_worker

    config = _config(ctx)
    crawl_over: dict[str, Any] = {}
    if proxy is not None:
        crawl_over["proxy"] = proxy
    if idle_exit is not None:
        crawl_over["idle_exit"] = idle_exit
    with user_errors():
        config = config.with_overrides(crawl=crawl_over)
        if metrics_port is not None:
            config = config.with_overrides(metrics={"port": metrics_port})
        reason = run_worker(config, spider, seeds_file, warn=_warn)
    if reason not in ("finished", "shutdown"):
        fail(f"crawl ended abnormally: {reason}")


def _warn(message: str) -> None:
    err_console.print(f"[yellow]isop:[/] {message}", soft_wrap=True)


@cli.command()
@click.option("--seed", type=int, default=None, help="Sandbox seed (default from config).")
@click.option("--fresh", is_flag=True, help="Start over even if an earlier demo was interrupted.")
@click.option("--json", "as_json", is_flag=True, help="End with the evaluation as one JSON line.")
@click.pass_context
def demo(ctx: click.Context, seed: int | None, fresh: bool, as_json: bool) -> None:
    """Sandbox web + private Redis + one worker: crawl, detect, fill the registry, score it."""
    from crawler.demo import run_demo

    with user_errors():
        code = run_demo(_config(ctx), seed=seed, fresh=fresh, as_json=as_json)
    sys.exit(code)


@cli.group()
def fleet() -> None:
    """Inspect the shared frontier and the workers on it."""


@fleet.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_context
def fleet_status(ctx: click.Context, as_json: bool) -> None:
    """Shards, queue depth per shard, leases, expired leases recovered, live workers."""
    from crawler.fleet import connect_frontier, gather
    from crawler.keys import Keys
    from crawler.redis_server import client_for, ping_all
    from crawler.render import fleet_tables

    config = _config(ctx)
    if not config.redis.urls:
        fail("no fleet to inspect: set ISOP_REDIS_URLS (the embedded Redis lives only while "
             "an isop process runs)")  # fmt: skip
    with user_errors():
        ping_all(config.redis.urls)
    frontier = connect_frontier(config)
    client = client_for(config.redis.urls[0], config.redis.cluster)
    try:
        status = gather(frontier, client, Keys(config.redis.key_prefix))
    finally:
        frontier.close()
        client.close()
    if as_json:
        click.echo(json.dumps(status.to_json()))
        return
    console = Console()
    for table in fleet_tables(status):
        console.print(table)


def main() -> None:
    cli(prog_name="isop")


if __name__ == "__main__":
    main()
