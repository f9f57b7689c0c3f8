"""The sandbox proxy for ``bench.crawl``, in its own process, optionally serving copies of the web.

``python -m bench._sandbox_proxy [--copies K] [--nagle]`` prints the proxy URL as its first
line (like ``python -m crawler.sandbox serve --port 0 --no-latency``) and serves until SIGTERM.

* ``--copies K`` serves K copies of the sandbox web: copy 0 is the web itself, copy k renames
  every sandbox host's registered domain ``d`` to ``c<k>-d`` (``www.flixtorrent.to`` ->
  ``www.c2-flixtorrent.to``) in host lookups, links and redirects.  A crawl from all copies'
  seeds is K times longer, over K times as many sites, so its steady state outweighs its
  ramp-up and tail.
* Two socket settings of the stock proxy slow a crawl down, so they are changed here unless
  ``--stock-sockets`` (kept for comparison): its handler writes a response's headers and body
  in two ``send`` calls, so on a keep-alive connection Nagle's algorithm holds the body until
  the client's delayed ACK (~40 ms per response), fixed with ``TCP_NODELAY``
  (``disable_nagle_algorithm``); and it listens with socketserver's backlog of 5, so a burst
  of new connections overflows it and the kernel drops SYNs, which the client re-sends after
  1 s, fixed with a backlog of 1024.  (Scrapy keeps only CONCURRENT_REQUESTS_PER_DOMAIN
  connections alive per proxy, so most requests of a crawl open a new connection.)
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from types import FrameType

from crawler.domains import registered_domain
from crawler.sandbox import Response, SandboxServer, SandboxWeb, build_web
from crawler.sandbox import proxy as sandbox_proxy

_TEXT_TYPES = ("text/", "application/xml", "application/json", "application/rss",
               "application/atom", "application/dash", "audio/x-mpegurl",
               "application/vnd.apple.mpegurl", "application/x-mpegurl")  # fmt: skip


LISTEN_BACKLOG = 1024


def clone_host(host: str, copy: int) -> str:
    """The name of a sandbox host in copy ``copy`` (copy 0 is the original web)."""
    if copy == 0:
        return host
    domain = registered_domain(host) or host
    return f"{host[: len(host) - len(domain)]}c{copy}-{domain}"


class ClonedWeb(SandboxWeb):
    """``copies`` renamed copies of one sandbox web, answering as the web itself does."""

    def __init__(self, web: SandboxWeb, copies: int) -> None:
        super().__init__(web.seed, web.catalog, web.origins, web.truth(), web.seeds())
        self.copies = copies
        hosts = sorted(web.hostnames(), key=len, reverse=True)
        self._original = {clone_host(h, k): (h, k) for h in hosts for k in range(copies)}
        alternatives = b"|".join(re.escape(h.encode()) for h in hosts)
        self._links = re.compile(rb"(?<=//)(" + alternatives + rb")(?![A-Za-z0-9.-])", re.I)
        self._names = [{h.encode(): clone_host(h, k).encode() for h in hosts}
                       for k in range(copies)]  # fmt: skip

    def seeds(self) -> list[str]:
        base = super().seeds()
        return [self.rename(url.encode(), k).decode() for k in range(self.copies) for url in base]

    def rename(self, data: bytes, copy: int) -> bytes:
        """Every ``//host`` of a sandbox host in ``data``, renamed into ``copy``."""
        if copy == 0:
            return data
        names = self._names[copy]
        return self._links.sub(lambda m: names.get(m.group(1).lower(), m.group(1)), data)

    def handle(self, method: str, host: str, port: int, target: str) -> Response:
        original, copy = self._original.get(host.lower().rstrip("."), (host, 0))
        resp = super().handle(method, original, port, target)
        if copy == 0:
            return resp
        body = resp.body
        if resp.content_type.startswith(_TEXT_TYPES):
            body = self.rename(body, copy)
        headers = tuple(
            (name, self.rename(value.encode("latin-1"), copy).decode("latin-1"))
            if name.lower() == "location" else (name, value)
            for name, value in resp.headers
        )  # fmt: skip
        return Response(resp.status, resp.content_type, body, headers, resp.delay)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._sandbox_proxy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--stock-sockets", action="store_true",
                        help="keep the stock proxy's Nagle and listen backlog")  # fmt: skip
    parser.add_argument("--seeds", action="store_true", help="print the seeds (all copies), exit")
    args = parser.parse_args(argv)
    web = ClonedWeb(build_web(args.seed), args.copies)
    if args.seeds:
        print("\n".join(web.seeds()))
        return 0
    if not args.stock_sockets:
        sandbox_proxy._Handler.disable_nagle_algorithm = True
        sandbox_proxy._ProxyServer.request_queue_size = LISTEN_BACKLOG
    server = SandboxServer(web, port=0, latency=False).start()
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _on_signal)
    print(server.proxy_url, flush=True)
    try:
        server.serve_until(stop)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
