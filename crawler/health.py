"""One port per long-running process: ``/metrics``, ``/healthz`` (liveness) and ``/readyz``.

Kubernetes probes, Docker health checks and Prometheus all talk to the same small HTTP
server, so a process needs one port and one firewall rule.  The server runs on a daemon
thread (never on the Twisted reactor or an asyncio loop), so a busy crawl still answers a
scrape, and a *hung* reactor is what liveness detects: the owner passes a check that looks at
its own heartbeat.

``GracefulStop`` is the other half of running under an orchestrator: SIGTERM (and Ctrl-C)
ask the process to finish its work and exit 0; a second signal is left to the default
handler, so an operator can still force it.

Use from any process (``isop monitor``, ``isop alerts deliver``...)::

    stop = GracefulStop.install()
    with HealthServer(port, registry=my_registry, ready=lambda: (db_ok(), "database")):
        while not stop.wait(poll_seconds):
            do_one_round()
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

logger = logging.getLogger(__name__)

#: A check returns (healthy, a short reason shown in the response body).
Check = Callable[[], tuple[bool, str]]


def always_ok() -> tuple[bool, str]:
    return True, "ok"


class Heartbeat:
    """Liveness from the owner's own loop: ``beat()`` from that loop, ``check`` here.

    A process whose event loop is blocked keeps its HTTP thread answering; only a beat from
    the loop itself shows it is alive.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.last = time.monotonic()

    def beat(self) -> None:
        self.last = time.monotonic()

    def check(self) -> tuple[bool, str]:
        age = time.monotonic() - self.last
        if age > self.timeout:
            return False, f"no heartbeat for {age:.0f} s (limit {self.timeout:.0f} s)"
        return True, f"heartbeat {age:.1f} s ago"


class HealthServer:
    """``/metrics`` from a prometheus-client registry, ``/healthz`` and ``/readyz`` from
    checks; any other path is 404.  ``port=0`` picks a free port (see ``.port``)."""

    def __init__(self, port: int, addr: str = "0.0.0.0", *,
                 registry: CollectorRegistry = REGISTRY, live: Check = always_ok,
                 ready: Check = always_ok) -> None:  # fmt: skip
        self.addr = addr
        self.registry = registry
        self.live = live
        self.ready = ready
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        return int(self._server.server_address[1])

    def start(self) -> HealthServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                owner._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                return  # scrapes every few seconds would drown the process log

        server = ThreadingHTTPServer((self.addr, self._requested_port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="isop-health",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        logger.info("Metrics and health on http://%s:%d/{metrics,healthz,readyz}",
                    self.addr, self.port)  # fmt: skip
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> HealthServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.stop()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        if path == "/metrics":
            try:
                body, status, ctype = generate_latest(self.registry), 200, CONTENT_TYPE_LATEST
            except Exception as exc:  # a broken collector must not kill the endpoint
                logger.warning("Metrics collection failed: %s", exc)
                body, status, ctype = f"collection failed: {exc}\n".encode(), 500, "text/plain"
        elif path in ("/healthz", "/livez", "/readyz"):
            ok, reason = _run(self.ready if path == "/readyz" else self.live)
            body, status, ctype = f"{reason}\n".encode(), 200 if ok else 503, "text/plain"
        else:
            body, status = b"not found: try /metrics, /healthz or /readyz\n", 404
            ctype = "text/plain"
        request.send_response(status)
        request.send_header("Content-Type", ctype)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


def _run(check: Check) -> tuple[bool, str]:
    try:
        return check()
    except Exception as exc:  # a check that raises is a failed check, not a 500
        return False, f"check failed: {type(exc).__name__}: {exc}"


class GracefulStop:
    """SIGTERM/SIGINT set ``event`` once; the next one gets the previous handler back, so a
    second Ctrl-C or ``kill`` still stops a process stuck in its drain."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}

    @classmethod
    def install(cls, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> GracefulStop:
        stop = cls()
        for number in signals:
            stop._previous[number] = signal.signal(number, stop._handle)
        return stop

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            return
        self.signal = number
        self.event.set()
        logger.info("Received %s: finishing current work, then exiting",
                    signal.Signals(number).name)  # fmt: skip
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout``; True as soon as a stop was asked for."""
        return self.event.wait(timeout)

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
