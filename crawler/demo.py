"""``isop demo``: the sandbox web, a private Redis and one worker, end to end, on one machine.

The worker is a separate ``isop crawl`` process, exactly as in a fleet; this process serves
the sandbox, shows progress from Redis and the registry, and scores the registry against
the sandbox's ground truth at the end.  An interrupted demo resumes on the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from rich.console import Console
from rich.live import Live
from rich.table import Table

from crawler.config import Config
from crawler.evaluation import Evaluation, evaluate
from crawler.frontier.store import Frontier, FrontierSettings
from crawler.keys import Keys
from crawler.redis_server import redis_urls
from crawler.registry import Registry
from crawler.registry.render import sites_table
from crawler.registry.views import SiteView
from crawler.sandbox import SandboxServer, build_web

SPIDER = "discovery"


@dataclass
class Progress:
    pages: int = 0
    queue: int = 0
    leased: int = 0
    flagged_pages: int = 0
    sites: int = 0
    errors: int = 0
    elapsed: float = 0.0

    def line(self) -> str:
        return (
            f"{self.elapsed:5.1f}s  pages fetched {self.pages}  queue {self.queue}  "
            f"in flight {self.leased}  "
            f"sites flagged {self.sites}  fetch errors {self.errors}"
        )

    def table(self) -> Table:
        table = Table(title="isop demo: crawling the sandbox web", show_header=False)
        for name, value in (
            ("elapsed", f"{self.elapsed:.1f} s"),
            ("pages fetched", str(self.pages)),
            ("frontier queue depth", str(self.queue)),
            ("leased (in flight)", str(self.leased)),
            ("pages flagged", str(self.flagged_pages)),
            ("sites in registry", str(self.sites)),
            ("fetch errors", str(self.errors)),
        ):
            table.add_row(name, value)
        return table


def _demo_config(config: Config) -> Config:
    data = config.model_dump()
    data["data_dir"] = Path(config.data_dir) / "demo"
    data["database"]["url"] = ""
    data["crawl"]["download_delay"] = config.demo.download_delay
    if config.redis.urls:  # a shared Redis: keep the demo's keys apart
        data["redis"]["key_prefix"] = f"{config.redis.key_prefix}-demo"
    return Config.model_validate(data)


def _state(path: Path) -> dict[str, object]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _wipe(config: Config, client: redis.Redis, frontier: Frontier) -> None:
    keys = Keys(config.redis.key_prefix)
    frontier.clear()
    for key in client.scan_iter(match=keys.all_pattern, count=1000):
        client.delete(key)
    for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
        (config.data_dir / name).unlink(missing_ok=True)


def _frontier(config: Config, urls: list[str]) -> Frontier:
    return Frontier.connect(urls, config.redis.key_prefix,
                            FrontierSettings(shards=config.frontier.shards))  # fmt: skip


@dataclass
class _Monitor:
    """Reads progress where a fleet's operator would: worker heartbeats, frontier, registry."""

    client: redis.Redis
    registry: Registry
    frontier: Frontier
    keys: Keys
    started: float = field(default_factory=time.monotonic)

    def poll(self) -> Progress:
        progress = Progress(elapsed=time.monotonic() - self.started)
        for key in self.client.scan_iter(match=self.keys.workers_pattern, count=100):
            values = self.client.hgetall(key)
            progress.pages += int(values.get(b"pages", 0))
            progress.flagged_pages += int(values.get(b"flagged", 0))
            progress.errors += int(values.get(b"errors", 0))
        shards = self.frontier.status()
        progress.queue = sum(r["queued"] + r["scheduled"] for r in shards) + int(
            self.client.llen(self.keys.start_urls(SPIDER))
        )
        progress.leased = sum(r["leased"] for r in shards)
        progress.sites = len(self.registry.sites())
        return progress


def run_demo(config: Config, seed: int | None = None, fresh: bool = False,
             as_json: bool = False) -> int:  # fmt: skip
    """Run the demo; returns the process exit status."""
    console = Console()
    seed = config.demo.seed if seed is None else seed
    config = _demo_config(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    state_file = config.data_dir / "state.json"
    state = _state(state_file)
    resume = not fresh and state.get("status") == "interrupted" and state.get("seed") == seed
    web = build_web(seed=seed)
    with (
        SandboxServer(web) as sandbox,
        redis_urls(config.redis.urls, config.data_dir, config.redis.start_timeout) as urls,
    ):
        client = redis.Redis.from_url(urls[0])
        frontier = _frontier(config, urls)
        if not resume:
            _wipe(config, client, frontier)
        state_file.write_text(json.dumps({"status": "interrupted", "seed": seed}))
        seeds_file = config.data_dir / "seeds.txt"
        seeds_file.write_text("\n".join(web.seeds()) + "\n")
        console.print(
            f"[bold]isop demo[/]: sandbox web at {sandbox.proxy_url} "
            f"({len(web.truth())} domains, {len(web.seeds())} seeds), Redis at {urls[0]}"
            + (" [yellow](resuming an interrupted run)[/]" if resume else "")
        )
        registry = Registry.open(config.database_url)
        try:
            code = _run_worker(config, urls, seeds_file, sandbox.proxy_url,
                               _Monitor(client, registry, frontier, Keys(config.redis.key_prefix)),
                               console)  # fmt: skip
            if code != 0:
                return code
            state_file.write_text(json.dumps({"status": "finished", "seed": seed}))
            sites = registry.sites()
        finally:
            registry.close()
            frontier.close()
            client.close()
    console.print(sites_table(sites))
    # Flagged = in the registry for an analyst to see: confirmed by the site rule, or a
    # candidate (flagged pages short of the rule).  Both levels are reported: "confirmed"
    # counts only confirmed sites, so a candidate pirate is missed there.
    flagged = {d: s.kind for s in sites if s.status != "false_positive" for d in s.domains}
    result = evaluate(flagged, web.truth())
    confirmed = evaluate({d: k for d, k in flagged.items() if d not in _candidates(sites)},
                         web.truth())  # fmt: skip
    _print_evaluation(console, result)
    candidates = sorted(_candidates(sites))
    console.print(f"Confirmed by the site rule: precision {confirmed.precision:.3f}, recall "
                  f"{confirmed.recall:.3f}; candidates (one ambiguous page, no alert): "
                  f"{', '.join(candidates) or 'none'}")  # fmt: skip
    if as_json:
        levels = {"candidates": candidates, "confirmed": confirmed.to_json()}
        print(json.dumps({**result.to_json(), **levels}))
    return 0


def _candidates(sites: list[SiteView]) -> set[str]:
    return {d for s in sites if s.status == "candidate" for d in s.domains}


def _run_worker(config: Config, urls: list[str], seeds_file: Path, proxy: str,
                monitor: _Monitor, console: Console) -> int:  # fmt: skip
    env = {
        **os.environ,
        "ISOP_REDIS_URLS": ",".join(urls),
        "ISOP_DATABASE_URL": config.database_url,
        "ISOP_DATA_DIR": str(config.data_dir),
        "ISOP_REDIS__KEY_PREFIX": config.redis.key_prefix,
    }
    command = [
        sys.executable, "-m", "crawler", "crawl", "--seeds", str(seeds_file),
        "--proxy", proxy, "--idle-exit", str(config.demo.idle_exit),
    ]  # fmt: skip
    log_path = config.data_dir / "worker.log"
    with open(log_path, "wb") as log:
        # Its own session: a terminal's Ctrl-C reaches only us, and we forward exactly one
        # SIGINT, which Scrapy takes as "finish gracefully".
        worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
        try:
            _watch(worker, monitor, console)
        except KeyboardInterrupt:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            console.print(
                f"[yellow]Interrupted.[/] The registry keeps its {len(monitor.registry.sites())} "
                "sites; "
                "run `isop demo` again to resume the crawl."
            )
            return 130
    if worker.returncode != 0:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        console.print(f"[red]isop demo:[/] worker exited {worker.returncode}: {tail[0]} "
                      f"(log: {log_path})")  # fmt: skip
        return 1
    return 0


def _watch(worker: subprocess.Popen[bytes], monitor: _Monitor, console: Console) -> None:
    if console.is_terminal:
        with Live(monitor.poll().table(), console=console,
                  refresh_per_second=4) as live:  # fmt: skip
            while worker.poll() is None:
                time.sleep(0.5)
                live.update(monitor.poll().table())
        return
    last = 0.0
    while worker.poll() is None:
        time.sleep(0.5)
        if time.monotonic() - last >= 5:
            last = time.monotonic()
            console.print(monitor.poll().line())
    console.print(monitor.poll().line())


def _print_evaluation(console: Console, result: Evaluation) -> None:
    table = Table(title="Registry vs the sandbox's ground truth (per registered domain)")
    for column in ("precision", "recall", "flagged correctly", "false positives", "missed",
                   "unreachable (dead)", "wrong kind"):  # fmt: skip
        table.add_column(column)
    table.add_row(
        f"{result.precision:.3f}", f"{result.recall:.3f}", str(len(result.true_positives)),
        str(len(result.false_positives)), str(len(result.missed)),
        str(len(result.unreachable)), str(len(result.wrong_kind)),
    )  # fmt: skip
    console.print(table)
    for title, items in (("False positives", result.false_positives),
                         ("Missed", result.missed), ("Wrong kind", result.wrong_kind)):  # fmt: skip
        if items:
            console.print(f"[bold]{title}:[/] " + ", ".join(sorted(items)))


def reset(config: Config) -> None:
    """Remove the demo's data dir (used by tests)."""
    shutil.rmtree(_demo_config(config).data_dir, ignore_errors=True)
