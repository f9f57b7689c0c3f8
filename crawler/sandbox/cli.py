"""``isop sandbox``: serve the synthetic web, print its seeds and its ground truth.

Stable contracts (scripts and CI rely on them):
  serve  prints the proxy URL as the first stdout line, serves until SIGTERM/Ctrl-C, exits 0;
         a port already in use prints one line to stderr and exits 2.
  seeds  one seed URL per line.
  truth  --json: one JSON object per line per registered domain.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType

import click

from .build import build_web
from .proxy import SandboxServer

DEFAULT_PORT = 8899


@click.group(name="sandbox")
def sandbox() -> None:
    """The sandbox web: a synthetic internet of piracy sites and look-alikes, on loopback."""


@sandbox.command()
@click.option("--seed", default=1, show_default=True, type=int, help="Web generation seed.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Proxy port on 127.0.0.1 (0 picks a free port).")
@click.option("--no-latency", is_flag=True, help="Serve slow and timing-out sites instantly.")
@click.option("--hops", is_flag=True, help="Add the operations that hop without redirects "
              "(linking ground truth).")
def serve(seed: int, port: int, no_latency: bool, hops: bool) -> None:
    """Serve the web behind an HTTP forward proxy; prints the proxy URL first."""
    web = build_web(seed, ("hops",) if hops else ())
    server = SandboxServer(web, port=port, latency=not no_latency)
    try:
        server.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        click.echo(f"isop sandbox: cannot listen on 127.0.0.1:{port}: {reason}", err=True)
        sys.exit(2)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        click.echo(server.proxy_url)
        sys.stdout.flush()
        server.serve_until(stop)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@sandbox.command()
@click.option("--seed", default=1, show_default=True, type=int, help="Web generation seed.")
@click.option("--hops", is_flag=True, help="Add the operations that hop without redirects "
              "(linking ground truth).")
def seeds(seed: int, hops: bool) -> None:
    """Print the seed URLs, one per line."""
    for url in build_web(seed, ("hops",) if hops else ()).seeds():
        click.echo(url)


@sandbox.command()
@click.option("--seed", default=1, show_default=True, type=int, help="Web generation seed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--hops", is_flag=True, help="Add the operations that hop without redirects "
              "(linking ground truth).")
def truth(seed: int, as_json: bool, hops: bool) -> None:
    """Print the ground truth: one entry per registered domain."""
    entries = build_web(seed, ("hops",) if hops else ()).truth()
    if as_json:
        for entry in entries:
            click.echo(json.dumps(entry.to_json(), ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Sandbox ground truth (seed {seed})")
    for col in ("domain", "infringing", "kind", "site", "role", "live", "lang"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.domain, "yes" if e.infringing else "no", e.kind or "-", e.site, e.role,
                      "yes" if e.live else "no", e.lang)
    console = Console()
    if not console.is_terminal:  # piped: do not squeeze domains into 80 columns
        console = Console(width=160)
    console.print(table)


@sandbox.command()
def catalog() -> None:
    """Print the catalog (works and premium channels) as one JSON document."""
    from .catalog import build_catalog

    click.echo(json.dumps(build_catalog().to_json(), ensure_ascii=False, indent=1))


@sandbox.command()
@click.argument("url")
@click.option("--seed", default=1, show_default=True, type=int, help="Web generation seed.")
@click.option("--head", is_flag=True, help="Print only the status line and headers.")
def get(url: str, seed: int, head: bool) -> None:
    """Print what the proxy would answer for URL (no server needed)."""
    resp = build_web(seed).fetch(url, "HEAD" if head else "GET")
    click.echo(f"HTTP {resp.status}")
    for name, value in (*resp.headers, ("Content-Type", resp.content_type)):
        click.echo(f"{name}: {value}")
    if not head:
        click.echo("")
        if resp.content_type.startswith(("text/", "application/json", "application/xml",
                                         "audio/x-mpegurl", "application/vnd.apple")):
            click.echo(resp.body.decode("utf-8", "replace"))
        else:
            click.echo(f"<{len(resp.body)} bytes of {resp.content_type}>")


if __name__ == "__main__":
    sandbox()
