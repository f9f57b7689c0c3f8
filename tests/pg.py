"""A throwaway PostgreSQL server for tests: ``initdb`` and ``pg_ctl`` from PATH, data in a
temporary directory, listening on 127.0.0.1 only, stopped (fast) at the end.

PostgreSQL refuses to run as root; under root (containers, CI) the server runs as the
``postgres`` system user, the data directory handed over to it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

_counter = itertools.count(1)


def _debian_bin_on_path() -> None:
    """Debian's postgresql package keeps initdb/pg_ctl in /usr/lib/postgresql/<N>/bin, off
    PATH: add the newest such folder when PATH has none, so plain `pytest` finds them."""
    if shutil.which("initdb") is not None:
        return
    def version(folder: Path) -> int:
        return int(folder.parent.name) if folder.parent.name.isdigit() else 0

    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version)
    if folders and (folders[-1] / "initdb").exists():
        os.environ["PATH"] = f"{os.environ.get('PATH', '')}{os.pathsep}{folders[-1]}"


_debian_bin_on_path()


class PostgresUnavailable(RuntimeError):
    """initdb/pg_ctl missing or the server would not start; the message says which."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """``start()`` returns a superuser URL (SQLAlchemy, psycopg 3); ``stop()`` stops it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.port = _free_port()
        self._prefix: list[str] = []
        self._owned: Path | None = None

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self._prefix, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {done.stderr.strip() or done.stdout}")

    def start(self) -> str:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise PostgresUnavailable(f"{tool} not found on PATH (install PostgreSQL)")
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # pytest's temporary directories are private to root: the postgres user could
            # not reach them.  Its own directory under /tmp, removed by stop().
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root and no 'postgres' user to run PostgreSQL as"
                ) from None
            self.base = self._owned = Path(tempfile.mkdtemp(prefix="isop-pg-"))
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self.data = self.base / "data"
            self._prefix = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.base / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        # Never started, or already gone: nothing to stop.
        with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        if self._owned is not None:
            shutil.rmtree(self._owned, ignore_errors=True)
