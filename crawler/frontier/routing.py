"""Which Redis server holds a shard: consistent hashing over plain servers, or the slot
owner in a Redis Cluster.

Either way the frontier talks to each server with a plain client, so that all the shard
scripts for one server go out in one pipeline (a Redis Cluster client refuses to pipeline
scripts).  In a cluster, a MOVED answer makes the frontier call :meth:`refresh`.
"""

from __future__ import annotations

from typing import Protocol

import redis
from redis.cluster import RedisCluster

from crawler.frontier.shards import ShardMap


class Router(Protocol):
    clients: dict[str, redis.Redis]
    # A script call may only name keys of one cluster slot: one shard per call there.
    one_shard_per_call: bool

    def server_of(self, shard: int) -> str: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


class PlainRouter:
    """Shards spread over a list of plain Redis servers by the shard map's hash ring."""

    one_shard_per_call = False

    def __init__(self, shard_map: ShardMap) -> None:
        self.map = shard_map
        self.clients = {url: redis.Redis.from_url(url, health_check_interval=30)
                        for url in shard_map.servers}  # fmt: skip

    def server_of(self, shard: int) -> str:
        return self.map.server_of(shard)

    def refresh(self) -> None:
        """Plain servers do not move shards."""

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


class ClusterRouter:
    """Shards of one Redis Cluster: each lives on the node that owns its hash tag's slot."""

    one_shard_per_call = True

    def __init__(self, url: str, shard_map: ShardMap) -> None:
        self.url = url
        self.map = shard_map
        self.cluster = RedisCluster.from_url(url)
        self.clients: dict[str, redis.Redis] = {}
        self._routes: dict[int, str] = {}
        self.refresh()

    def refresh(self) -> None:
        self.cluster.nodes_manager.initialize()
        routes: dict[int, str] = {}
        for shard in range(self.map.count):
            node = self.cluster.get_node_from_key(self.map.base(shard))
            name = f"redis://{node.host}:{node.port}/0"
            if name not in self.clients:
                self.clients[name] = redis.Redis(host=node.host, port=node.port,
                                                 health_check_interval=30)  # fmt: skip
            routes[shard] = name
        self._routes = routes

    def server_of(self, shard: int) -> str:
        return self._routes[shard]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.cluster.close()
