"""A minimal webhook receiver for Apprise ``json://`` and ``form://`` alerts, on loopback.

For tests, the delivery benchmark and a smoke test of a route: it appends one JSON line per
request to a file (receipt time, title, the ``isop-alert-ids`` line parsed, whether those ids
were new) and answers 200.  Deduplication by alert id happens here, as a real receiver
should do it: delivery is at-least-once, the ids make it effectively once.

Run: ``python -m crawler.alerts.sink PORT OUTFILE [STALL]`` (SIGTERM stops it).  With STALL
seconds, the first request to a path starting ``/stall`` is recorded and then answered only
after STALL seconds: longer than the sender's timeout, that is the lost-acknowledgement case
where at-least-once delivery sends the same alert again.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

IDS = re.compile(r"isop-alert-ids:((?:\s+\d+)+)")
MAX_BODY = 1_000_000


def alert_ids(message: str) -> list[int]:
    """The alert ids a message carries (its ``isop-alert-ids:`` line), in order."""
    found = IDS.search(message)
    return [int(x) for x in found.group(1).split()] if found else []


def _fields(content_type: str, body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        data = json.loads(text)
        return data if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(text).items()}


class _Handler(BaseHTTPRequestHandler):
    server: _SinkServer

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length)
        try:
            fields = _fields(self.headers.get("Content-Type", ""), body)
        except (ValueError, UnicodeError):
            fields = {}
        ids = alert_ids(str(fields.get("message", "")))
        self.server.record(self.path, str(fields.get("title", "")), ids)
        if self.path.startswith("/stall") and self.server.take_stall():
            time.sleep(self.server.stall)  # got it, but the sender gives up waiting: a resend
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the out file is the log


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, out: Path, stall: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.out = out
        self.stall = stall
        self._stalled = stall <= 0
        self.lock = threading.Lock()
        self.seen: set[int] = set()
        if out.exists():  # a restarted receiver remembers what it already got
            for line in out.read_text().splitlines():
                self.seen.update(json.loads(line)["ids"])

    def take_stall(self) -> bool:
        """True once: the first request to ``/stall...`` is answered too late."""
        with self.lock:
            first, self._stalled = not self._stalled, True
            return first

    def record(self, path: str, title: str, ids: list[int]) -> None:
        with self.lock:
            new = [i for i in ids if i not in self.seen]
            self.seen.update(ids)
            entry = {"t": time.time(), "path": path, "title": title, "ids": ids, "new": new}
            with self.out.open("a") as out:
                out.write(json.dumps(entry) + "\n")


def read(out: Path) -> list[dict[str, Any]]:
    """Every request a sink recorded in ``out`` (none if it never got one)."""
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def serve(port: int, out: Path, stall: float = 0.0) -> None:
    import signal

    server = _SinkServer(port, out, stall)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever(poll_interval=0.05)
    server.server_close()


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)
