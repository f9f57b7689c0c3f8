"""The sharded frontier in Redis: push, lease, acknowledge, release, renew.

Python's side is thin on purpose: each operation is one Lua script per shard (all shards of
one server pipelined into one round trip), so dedup, the page budget, politeness and
leases change together or not at all.  See ``lua/*.lua`` for the algorithms.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import redis

from crawler.frontier.bloom import make_dedup
from crawler.frontier.routing import ClusterRouter, PlainRouter, Router
from crawler.frontier.shards import ShardMap


def _lua(*names: str) -> str:
    """Prelude modules, then the last name as the body, run once per shard (each_shard.lua).

    The body reads its arguments from ``ARGV``; wrapped as ``run(ARGV)`` it sees its own
    shard's slice, and ``B`` (the shard base, a local of common.lua) is set per shard.
    """
    folder = resources.files("crawler.frontier") / "lua"

    def read(name: str) -> str:
        return (folder / f"{name}.lua").read_text(encoding="utf-8")

    *prelude, body = names
    return "\n".join([*(read(n) for n in prelude), "local function run(ARGV)", read(body),
                      "end", read("each_shard")])  # fmt: skip


@dataclass(frozen=True)
class FrontierSettings:
    """Fleet-wide behaviour of the frontier; every worker should use the same values."""

    shards: int = 16
    lease_ttl_ms: int = 60_000
    default_delay_ms: int = 1_000
    max_inflight_per_domain: int = 2
    page_budget: int = 0  # per registered domain; 0 = unlimited
    recrawl_ms: int = 7 * 86_400_000
    dedup_mode: str = "bloom"  # or "exact": no false positive, ~30x the memory
    expected_urls: int = 10_000_000  # distinct URLs per recrawl window, whole fleet
    dedup_error_rate: float = 0.001


@dataclass(frozen=True)
class Entry:
    """A request ready to queue: its domain, rank, due time and JSON."""

    domain: str
    priority: int
    json: str
    fingerprint: bytes = b""  # Scrapy's request fingerprint; empty = not deduplicated
    due_ms: int = 0  # absolute epoch ms for a scheduled revisit; 0 = now


@dataclass(frozen=True)
class Lease:
    id: str
    shard: int
    json: str


PUSHED, SCHEDULED, DUPLICATE, OVER_BUDGET = 1, 2, 0, -1
QUIET_RECHECK_S = 1.0  # how long a shard found empty is left alone by this worker

STAT_FIELDS = (
    "pushed", "scheduled", "duplicates", "over_budget", "granted", "acked", "released",
    "expired", "late_finish", "due_released",
)  # fmt: skip


class Frontier:
    """Client of the shared frontier for one process; thread-safe as redis-py clients are."""

    def __init__(self, shard_map: ShardMap, settings: FrontierSettings,
                 router: Router) -> None:  # fmt: skip
        self.map = shard_map
        self.settings = settings
        self.router = router
        self._sources = {
            "push": _lua("common", "bloom", "push"),
            "pop": _lua("common", "pop"),
            "finish": _lua("common", "finish"),
            "renew": _lua("common", "renew"),
        }
        self._scripts: dict[tuple[str, str], Any] = {}
        any_client = next(iter(router.clients.values()))
        # Spec and item encoding only: the filter's keys live in each shard (same hash tag).
        self.dedup = make_dedup(
            settings.dedup_mode, any_client, shard_map.base(0),
            capacity=max(1, settings.expected_urls // shard_map.count),
            error_rate=settings.dedup_error_rate, recrawl_after=settings.recrawl_ms / 1000,
        )  # fmt: skip
        self._rotation = 0
        self._quiet_until: dict[int, float] = {}
        self._has_work: set[int] = set()

    @classmethod
    def connect(cls, urls: Sequence[str], prefix: str, settings: FrontierSettings,
                cluster: bool = False) -> Frontier:  # fmt: skip
        """Plain servers (shards spread by consistent hashing) or one Redis Cluster (shards
        live where their hash tag's slot lives)."""
        shard_map = ShardMap.build(prefix, settings.shards, urls)
        router: Router = ClusterRouter(urls[0], shard_map) if cluster else PlainRouter(shard_map)
        return cls(shard_map, settings, router)

    @property
    def clients(self) -> dict[str, redis.Redis]:
        return self.router.clients

    def client_for(self, shard: int) -> redis.Redis:
        return self.router.clients[self.router.server_of(shard)]

    def close(self) -> None:
        self.router.close()

    # -- helpers -------------------------------------------------------------------------
    def _by_server(self, shards: Iterable[int]) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = defaultdict(list)
        for shard in shards:
            grouped[self.router.server_of(shard)].append(shard)
        return grouped

    def _sha(self, name: str, server: str) -> str:
        """The script's SHA on that server, loaded once; EVALSHA then goes straight into the
        pipeline (redis-py's Script objects add a SCRIPT EXISTS round trip every time)."""
        key = (name, server)
        if key not in self._scripts:
            self._scripts[key] = self.router.clients[server].script_load(self._sources[name])
        return str(self._scripts[key])

    def _each_server(self, shards: Iterable[int], name: str,
                     args_of: Callable[[int], list[Any]]) -> list[tuple[int, Any]]:  # fmt: skip
        """Run script ``name`` on every shard: one EVALSHA per server for all its shards
        (per shard in a Redis Cluster, pipelined), so one round trip per server.

        A Redis Cluster that moved a slot answers MOVED, and a restarted Redis has forgotten
        the scripts (NOSCRIPT): either way the call is made once more after a refresh.
        Scripts are idempotent up to that error: NOSCRIPT means nothing ran.
        """
        out: list[tuple[int, Any]] = []
        for server, group in self._by_server(shards).items():
            out.extend(zip(group, self._run_on(server, group, name, args_of), strict=True))
        return out

    def _calls(self, group: list[int]) -> list[list[int]]:
        """Shards per script call: all together on a plain server, one each in a cluster."""
        return [[shard] for shard in group] if self.router.one_shard_per_call else [group]

    def _run_on(self, server: str, group: list[int], name: str,
                args_of: Callable[[int], list[Any]]) -> list[Any]:  # fmt: skip
        for attempt in (1, 2):
            try:
                pipe = self.router.clients[server].pipeline(transaction=False)
                sha = self._sha(name, server)
                for call in self._calls(group):
                    argv: list[Any] = []
                    for shard in call:
                        args = args_of(shard)
                        argv.append(len(args))
                        argv.extend(args)
                    keys = [self.map.base(shard) for shard in call]
                    pipe.evalsha(sha, len(keys), *keys, *argv)
                return [reply for replies in pipe.execute() for reply in replies]
            except redis.exceptions.NoScriptError:
                if attempt == 2:
                    raise
                self._scripts.clear()  # Redis restarted (or SCRIPT FLUSH): load them again
            except redis.ResponseError as exc:
                if attempt == 2 or not str(exc).startswith(("MOVED", "ASK")):
                    raise
                self.router.refresh()  # a cluster slot moved: route again
                self._scripts.clear()
                rerouted = dict(self._each_server(group, name, args_of))
                return [rerouted[shard] for shard in group]
        raise AssertionError("unreachable")

    # -- operations ----------------------------------------------------------------------
    def push(self, entries: Sequence[Entry]) -> list[int]:
        """Queue entries; returns per entry PUSHED, SCHEDULED, DUPLICATE or OVER_BUDGET."""
        by_shard: dict[int, list[int]] = defaultdict(list)
        for index, entry in enumerate(entries):
            by_shard[self.map.shard_of(entry.domain)].append(index)
        results = [DUPLICATE] * len(entries)
        self._wake(by_shard)
        s = self.settings

        def args_of(shard: int) -> list[Any]:
            args: list[Any] = [s.max_inflight_per_domain, s.page_budget, self.dedup.spec,
                               len(by_shard[shard])]  # fmt: skip
            for index in by_shard[shard]:
                e = entries[index]
                item = self.dedup.encode(e.fingerprint) if e.fingerprint else b""
                args += [e.domain, e.priority, e.due_ms, item, e.json]
            return args

        for shard, statuses in self._each_server(by_shard, "push", args_of):
            for index, status in zip(by_shard[shard], statuses, strict=True):
                results[index] = int(status)
        return results

    def pop(self, count: int, worker_id: str) -> tuple[list[Lease], float | None]:
        """Lease up to ``count`` requests; also returns seconds until more may be ready
        (``None``: nothing queued or scheduled anywhere).

        Shards that were empty, or whose next domain is not due yet, are skipped until
        then (re-checked at least every second, since other workers push too), so a pop
        asks only shards that may answer.
        """
        s = self.settings
        now = time.monotonic()
        order = list(range(self.map.count))
        self._rotation = (self._rotation + 1) % self.map.count
        order = order[self._rotation :] + order[: self._rotation]
        targets = [shard for shard in order if self._quiet_until.get(shard, 0.0) <= now]
        if not targets:
            return [], self._next_known_work(now)
        skipped = len(targets) > count  # shards not asked this time may have work: ask soon
        targets = targets[:count]
        share, extra = divmod(count, len(targets))
        asks = {shard: share + (1 if i < extra else 0) for i, shard in enumerate(targets)}
        leases: list[Lease] = []
        pop_args = [s.lease_ttl_ms, worker_id, s.default_delay_ms, s.max_inflight_per_domain]
        replies = self._each_server(targets, "pop", lambda shard: [asks[shard], *pop_args])
        for shard, reply in replies:
            wait = int(reply[-1])
            got = (len(reply) - 1) // 2
            for i in range(0, len(reply) - 1, 2):
                leases.append(Lease(_text(reply[i]), shard, _text(reply[i + 1])))
            if got:
                self._quiet_until.pop(shard, None)
                self._has_work.discard(shard)
            elif wait < 0:
                self._quiet_until[shard] = now + QUIET_RECHECK_S
                self._has_work.discard(shard)
            else:
                self._quiet_until[shard] = now + min(wait / 1000.0, QUIET_RECHECK_S)
                self._has_work.add(shard)
        if leases or skipped:
            return leases, 0.0
        return leases, self._next_known_work(now)

    def _next_known_work(self, now: float) -> float | None:
        """Seconds until a shard known to hold work (queued, scheduled or leased) is worth
        asking again; ``None`` if every shard was empty when last asked."""
        times = [self._quiet_until.get(shard, now) - now for shard in self._has_work]
        return max(0.0, round(min(times), 3)) if times else None  # ms, as Redis said

    def _wake(self, shards: Iterable[int]) -> None:
        """Shards we just changed (pushed to, acknowledged in) are worth asking at once."""
        for shard in shards:
            self._quiet_until.pop(shard, None)

    def _finish_many(self, mode: str, leases: Iterable[Lease]) -> int:
        by_shard: dict[int, list[str]] = defaultdict(list)
        for lease in leases:
            by_shard[lease.shard].append(lease.id)
        self._wake(by_shard)
        max_inflight = self.settings.max_inflight_per_domain
        replies = self._each_server(
            by_shard, "finish", lambda shard: [mode, max_inflight, *by_shard[shard]]
        )
        done = sum(int(n) for _, n in replies)
        return done

    def ack(self, leases: Iterable[Lease]) -> int:
        """The requests were handled: forget them.  Returns how many leases were still held."""
        return self._finish_many("ack", leases)

    def release(self, leases: Iterable[Lease]) -> int:
        """Give requests back unhandled (a worker stopping cleanly)."""
        return self._finish_many("release", leases)

    def renew(self, leases: Iterable[Lease]) -> int:
        """Extend this worker's leases (heartbeat); returns how many were still held."""
        by_shard: dict[int, list[str]] = defaultdict(list)
        for lease in leases:
            by_shard[lease.shard].append(lease.id)
        ttl = self.settings.lease_ttl_ms
        replies = self._each_server(by_shard, "renew", lambda shard: [ttl, *by_shard[shard]])
        held = sum(int(n) for _, n in replies)
        return held

    def set_aside(self, lease: Lease, reason: str) -> None:
        """Move an entry no worker can read into the shard's dead-letter list, for a human."""
        base = self.map.base(lease.shard)
        client = self.client_for(lease.shard)
        record = json.dumps({"reason": reason, "entry": lease.json, "at": time.time()})
        client.rpush(f"{base}:dead", record)
        self.ack([lease])

    def dead_letters(self, shard: int) -> list[dict[str, Any]]:
        client = self.client_for(shard)
        return [json.loads(raw) for raw in client.lrange(f"{self.map.base(shard)}:dead", 0, -1)]

    def set_delays(self, delays_s: dict[str, float]) -> None:
        """Per-domain politeness overrides (seconds), shared by the fleet."""
        by_shard: dict[int, dict[str, int]] = defaultdict(dict)
        for domain, seconds in delays_s.items():
            by_shard[self.map.shard_of(domain)][domain] = int(seconds * 1000)
        for shard, mapping in by_shard.items():
            client = self.client_for(shard)
            client.hset(f"{self.map.base(shard)}:delay", mapping=mapping)  # type: ignore[arg-type]

    def status(self) -> list[dict[str, Any]]:
        """Per shard: queued, scheduled, leased, domains ready, and the lifetime counters."""
        rows: list[dict[str, Any]] = []
        for url, shards in self._by_server(range(self.map.count)).items():
            pipe = self.router.clients[url].pipeline(transaction=False)
            for shard in shards:
                base = self.map.base(shard)
                pipe.get(f"{base}:pending")
                pipe.zcard(f"{base}:due")
                pipe.zcard(f"{base}:leases")
                pipe.zcard(f"{base}:ready")
                pipe.hgetall(f"{base}:stats")
                pipe.llen(f"{base}:dead")
            replies = pipe.execute()
            for i, shard in enumerate(shards):
                pending, due, leased, ready, stats, dead = replies[i * 6 : i * 6 + 6]
                row: dict[str, Any] = {
                    "shard": shard, "server": url, "queued": int(pending or 0),
                    "scheduled": int(due), "leased": int(leased), "domains_ready": int(ready),
                    "dead_letters": int(dead),
                }  # fmt: skip
                for name in STAT_FIELDS:
                    # "scheduled" already names what waits now; the lifetime counter of
                    # revisits scheduled is "scheduled_total".
                    key = "scheduled_total" if name == "scheduled" else name
                    row[key] = int(stats.get(name.encode(), 0))
                rows.append(row)
        return sorted(rows, key=lambda r: r["shard"])

    def outstanding(self, include_scheduled: bool = True) -> int:
        """Requests queued, leased (and, unless told otherwise, scheduled for later)."""
        return sum(r["queued"] + r["leased"] + (r["scheduled"] if include_scheduled else 0)
                   for r in self.status())  # fmt: skip

    def clear(self) -> None:
        """Delete every key of every shard (tests and ``--fresh`` runs)."""
        for url, shards in self._by_server(range(self.map.count)).items():
            client = self.router.clients[url]
            for shard in shards:
                for key in client.scan_iter(match=f"{self.map.base(shard)}:*", count=1000):
                    client.delete(key)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
