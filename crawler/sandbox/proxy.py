"""The sandbox's HTTP forward proxy on loopback: any client that can use an HTTP proxy
(Scrapy's HttpProxyMiddleware, curl -x, urllib's ProxyHandler) reaches every generated host
without DNS.  Absolute-URI requests are the norm; origin-form requests use the Host header.

Robust against hostile clients (malformed lines, early disconnects) and quiet: no tracebacks
on stderr.  Stopping closes idle keep-alive connections and joins every handler thread, so
tests running with ``-W error`` see no unclosed sockets.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from .model import Response
from .web import SandboxWeb

_CONNECT_BODY = (b"<!DOCTYPE html>\n<html><head><title>501 Not Implemented</title></head><body>"
                 b"<h1>CONNECT not supported</h1><p>The sandbox proxy only serves plain http:// "
                 b"URLs; every sandbox site is http://. HTTPS tunnelling (CONNECT) is not "
                 b"implemented.</p></body></html>\n")


@dataclass(frozen=True)
class RequestRecord:
    """One request the proxy answered (for politeness checks)."""

    monotonic: float
    wall: float
    host: str
    path: str
    status: int
    method: str = "GET"
    port: int = 80
    # body bytes written: of a live stream before the client hung up, of a 206 range
    sent: int | None = None


STREAM_INTERVAL = 0.002  # seconds between two chunks of a live stream (~650 KB/s)


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive response for ~40 ms.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # error replies always carry a status line
    server_version = "isop-sandbox"
    timeout = 30  # idle keep-alive connections are dropped after this
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr log."""

    def do_GET(self) -> None:
        """Serve GET."""
        self._proxy(head=False)

    def do_HEAD(self) -> None:
        """Serve HEAD: the GET headers, no body."""
        self._proxy(head=True)

    def do_POST(self) -> None:
        """Origins accept no writes: resolve the host, then 405."""
        self._proxy(head=False)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def do_CONNECT(self) -> None:
        """No TLS tunnelling in the sandbox."""
        self._record(self.path.split(":")[0], 0, self.path, 501)
        self._send(Response(501, "text/html; charset=utf-8", _CONNECT_BODY), head=False,
                   close=True)

    def _target(self) -> tuple[str, int, str] | None:
        raw = self.path
        if raw.startswith(("http://", "https://", "HTTP://")):
            parts = urlsplit(raw)
            if parts.scheme.lower() != "http" or not parts.hostname:
                return None
            port = parts.port or 80
            path = parts.path or "/"
            return parts.hostname, port, path + (f"?{parts.query}" if parts.query else "")
        if raw.startswith("/"):
            host_header = self.headers.get("Host", "")
            if not host_header:
                return None
            split = urlsplit(f"http://{host_header}")
            if not split.hostname:
                return None
            return split.hostname, split.port or 80, raw
        return None

    def _proxy(self, head: bool) -> None:
        self._drain_body()
        try:
            target = self._target()
        except ValueError:  # bad port etc.
            target = None
        if target is None:
            self._record("", 0, self.path, 400)
            self.send_error(400, "Bad Request", "The request target is not an http:// URL")
            return
        host, port, path = target
        resp = self.server.web.handle(self.command, host, port, path)
        if self.command not in ("GET", "HEAD") and resp.status < 300:
            resp = Response(405, "text/plain; charset=utf-8", b"Method Not Allowed\n",
                            (("Allow", "GET, HEAD"),))
        if resp.delay and self.server.latency:
            self.server.stopping.wait(resp.delay)
        if resp.stream is not None and not head and self.command == "GET":
            sent = self._send_stream(resp)
            self._record(host.lower(), port, path, resp.status, sent)
            return
        ranged = _byte_range(self.headers.get("Range"), resp) if self.command == "GET" else None
        if ranged is not None:  # a file served in part, as a player (or a probe) asks
            self._record(host.lower(), port, path, ranged.status, len(ranged.body))
            self._send(ranged, head=head, close=False)
            return
        self._record(host.lower(), port, path, resp.status)
        self._send(resp, head=head, close=False)

    def _send_stream(self, resp: Response) -> int:
        """A live stream: no length, the connection closes at its end; one chunk every
        STREAM_INTERVAL seconds (a live source's pace) until the client hangs up. The bytes
        written are what the client read plus at most what was in flight at its hang-up."""
        assert resp.stream is not None
        self.send_response_only(resp.status)
        self.send_header("Date", self.date_time_string())
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        sent = 0
        try:
            self.wfile.write(resp.body)
            sent += len(resp.body)
            for chunk in resp.stream():
                if self.server.stopping.wait(STREAM_INTERVAL):
                    break
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the client hung up: what a probe does after its first 64 KB
            pass
        return sent

    def _drain_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit():
            remaining = min(int(length), 10 * 1024 * 1024)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)

    def _record(self, host: str, port: int, path: str, status: int,
                sent: int | None = None) -> None:
        self.server.record(RequestRecord(time.monotonic(), time.time(), host, path, status,
                                         self.command or "", port, sent))

    def _send(self, resp: Response, *, head: bool, close: bool) -> None:
        self.send_response_only(resp.status)
        self.send_header("Date", self.date_time_string())
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Via", "1.1 isop-sandbox")
        if close or self.server.stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(resp.body)


_RANGE = re.compile(r"^bytes=(\d{1,15})-(\d{0,15})$")


def _byte_range(header: str | None, resp: Response) -> Response | None:
    """The 206 answer to ``Range: bytes=A-B`` on a file that accepts ranges (one range only;
    anything else gets the whole file, as many servers do)."""
    if not header or resp.status != 200 or \
            ("Accept-Ranges", "bytes") not in resp.headers:  # fmt: skip
        return None
    match = _RANGE.match(header.strip())
    size = len(resp.body)
    if match is None or int(match.group(1)) >= size:
        return None
    start = int(match.group(1))
    end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
    if end < start:
        return None
    return Response(206, resp.content_type, resp.body[start:end + 1],
                    (*resp.headers, ("Content-Range", f"bytes {start}-{end}/{size}")))


class _ProxyServer(ThreadingHTTPServer):
    request_queue_size = 1024  # socketserver's default backlog of 5 drops a crawler's SYNs
    daemon_threads = False
    block_on_close = True  # server_close() joins handler threads

    def __init__(self, addr: tuple[str, int], web: SandboxWeb, latency: bool,
                 record: Callable[[RequestRecord], None]) -> None:
        super().__init__(addr, _Handler)
        self.web = web
        self.latency = latency
        self.record = record
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that misbehaves or vanishes must not print tracebacks."""

    def drop_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive reads."""
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """The proxy serving a :class:`SandboxWeb`; usable as a context manager.

    ``latency=False`` disables the slow sites' and timed-out sites' delays (unit tests).
    """

    def __init__(self, web: SandboxWeb, host: str = "127.0.0.1", port: int = 0, *,
                 latency: bool = True) -> None:
        self.web = web
        self.host = host
        self._port = port
        self.latency = latency
        self._httpd: _ProxyServer | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()
        self._log: list[RequestRecord] = []

    def start(self) -> SandboxServer:
        """Bind and serve in a background thread (raises OSError if the port is taken)."""
        if self._httpd is not None:
            return self
        self._httpd = _ProxyServer((self.host, self._port), self.web, self.latency, self._record)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="sandbox-proxy", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        """The bound port."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:PORT``, for HTTP_PROXY / Scrapy's ``meta['proxy']``."""
        return f"http://{self.host}:{self.port}"

    def _record(self, rec: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(rec)

    @property
    def request_log(self) -> list[RequestRecord]:
        """A snapshot of every request answered so far (thread-safe; kept after stop)."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget recorded requests."""
        with self._log_lock:
            self._log.clear()

    def stop(self) -> None:
        """Stop serving, close every connection and join all threads."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.stopping.set()
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def serve_until(self, event: threading.Event) -> None:
        """Block until ``event`` is set (used by the CLI)."""
        while not event.wait(0.2):
            pass

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
