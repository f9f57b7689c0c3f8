"""crawler.health: one real HTTP server for /metrics, /healthz and /readyz; SIGTERM handling."""

from __future__ import annotations

import os
import signal
import time

import pytest
from prometheus_client import CollectorRegistry, Counter
from worker_helpers import get

from crawler.health import GracefulStop, HealthServer, Heartbeat


def test_metrics_and_checks_on_one_port() -> None:
    registry = CollectorRegistry()
    Counter("isop_things", "Things", registry=registry).inc(3)
    state = {"ready": False}

    def ready() -> tuple[bool, str]:
        return state["ready"], "ready" if state["ready"] else "redis away"

    with HealthServer(0, "127.0.0.1", registry=registry, ready=ready) as server:
        assert server.port > 0
        status, body = get(server.port, "/metrics")
        assert status == 200 and "isop_things_total 3.0" in body
        assert get(server.port, "/healthz") == (200, "ok\n")
        assert get(server.port, "/readyz") == (503, "redis away\n")
        state["ready"] = True
        assert get(server.port, "/readyz?verbose=1") == (200, "ready\n")
        assert get(server.port, "/elsewhere")[0] == 404
        port = server.port
    with pytest.raises(OSError):
        get(port, "/healthz")  # stopped: the port is closed


def test_a_check_that_raises_is_a_failed_check() -> None:
    def broken() -> tuple[bool, str]:
        raise ConnectionError("Error 111 connecting to redis:6379")

    with HealthServer(0, "127.0.0.1", live=broken) as server:
        status, body = get(server.port, "/healthz")
    assert status == 503
    assert "ConnectionError" in body and "redis:6379" in body


def test_heartbeat_goes_stale() -> None:
    beat = Heartbeat(timeout=0.2)
    assert beat.check()[0]
    time.sleep(0.3)
    ok, reason = beat.check()
    assert not ok and "no heartbeat" in reason
    beat.beat()
    assert beat.check()[0]


def test_sigterm_asks_once_then_the_previous_handler_is_back() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    seen: list[int] = []
    signal.signal(signal.SIGTERM, lambda n, f: seen.append(n))
    try:
        outer = signal.getsignal(signal.SIGTERM)
        stop = GracefulStop.install((signal.SIGTERM,))
        assert not stop.requested and not stop.wait(0.01)
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(2.0)
        assert stop.signal == signal.SIGTERM and seen == []
        # A second SIGTERM goes to whatever handled it before: an operator can force a stop.
        assert signal.getsignal(signal.SIGTERM) is outer
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
