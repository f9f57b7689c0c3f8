"""``isop worker``: the fleet's crawler process, made for orchestrators.

The same Scrapy crawl as ``isop crawl`` (:func:`crawler.worker.run_worker`), with what a
container needs on top: the spider named in config (``worker.spider``), ``/metrics``,
``/healthz`` and ``/readyz`` always served on one port (``worker.port``, 9410), no idle
exit unless asked, and exit status 0 after SIGTERM once the worker has flushed its queued
requests and given its unfinished leases back to the frontier (Scrapy's graceful shutdown
closes the frontier scheduler, which does both).  A second SIGTERM forces the exit; leases
then expire and come back after ``frontier.lease_ttl``.
"""

from __future__ import annotations

from typing import Any

import click

from crawler.cli import _config, _warn, fail, user_errors


@click.command("worker")
@click.option("--spider", default=None, help="Spider to run (default: worker.spider).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port of /metrics, /healthz and /readyz (default: worker.port).")  # fmt: skip
@click.option("--seeds", "seeds_file", type=click.Path(dir_okay=False), default=None,
              help="File of seed URLs to add to the shared frontier first.")  # fmt: skip
@click.option("--proxy", default=None, help="Send every request through this HTTP proxy URL.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=None,
              help="Exit 0 after this many idle seconds (default: never).")  # fmt: skip
@click.pass_context
def worker(ctx: click.Context, spider: str | None, port: int | None, seeds_file: str | None,
           proxy: str | None, idle_exit: float | None) -> None:  # fmt: skip
    """A crawler worker on the shared frontier, with metrics and health on one port."""
    from crawler.worker import run_worker

    config = _config(ctx)
    crawl_over: dict[str, Any] = {}
    if proxy is not None:
        crawl_over["proxy"] = proxy
    if idle_exit is not None:
        crawl_over["idle_exit"] = idle_exit
    with user_errors():
        config = config.with_overrides(
            crawl=crawl_over, metrics={"port": port or config.worker.port}
        )
        reason = run_worker(config, spider or config.worker.spider, seeds_file, warn=_warn)
    if reason not in ("finished", "shutdown"):
        fail(f"worker ended abnormally: {reason}")
