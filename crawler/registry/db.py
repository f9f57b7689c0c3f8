"""Engine construction: the one place that knows about backend quirks.

SQLite needs help to take several writers (crawler processes) at once:

* WAL journal, so readers never block the writer and the writer never blocks readers;
* a busy timeout, so a writer waits for the lock instead of failing at once;
* ``BEGIN IMMEDIATE`` for write transactions: a deferred transaction that reads and then
  writes can't upgrade its lock once another writer committed (``SQLITE_BUSY`` with no wait),
  an immediate one takes the write lock up front and simply queues;
* foreign keys on (off by default in SQLite).

PostgreSQL needs none of this; the same models and queries run on both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT_MS = 30_000
# What a write that lost a race to a concurrent one reports (SQLite, PostgreSQL): try again.
_TRANSIENT = ("locked", "busy", "deadlock", "could not serialize")
# Execution options asking for a write transaction, and for a durable one; see
# ``write_engine``.
_WRITE_OPTION = "isop_write"
_DURABLE_OPTION = "isop_durable"
_SYNCHRONOUS = "isop_synchronous"  # the level a pooled SQLite connection is at (conn.info)


def lost_race(exc: DBAPIError) -> bool:
    """``exc`` says the transaction lost a race (a unique key taken meanwhile, a lock wait
    given up, a deadlock or serialisation failure the backend broke by aborting us): the
    whole transaction may be run again and will see the other writer's rows."""
    if isinstance(exc, IntegrityError):
        return True
    return any(word in str(exc.orig).lower() for word in _TRANSIENT)


def redact(url: str | URL) -> str:
    """The URL without its password, safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is still printed, minus anything like a password
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", str(url))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def ensure_sqlite_parent(url: URL) -> None:
    """Create the directory of a SQLite file so that a fresh checkout just works."""
    if is_sqlite(url) and not _in_memory(url) and url.database:
        parent = Path(url.database.removeprefix("file:")).expanduser().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot create directory {parent}: {exc.strerror or exc}") from exc


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url`` with the per-backend settings described above."""
    parsed = make_url(url)
    if not is_sqlite(parsed):
        return create_engine(parsed, pool_pre_ping=True)
    kwargs: dict[str, Any] = {}
    if _in_memory(parsed):
        # One shared connection, else every pooled connection sees its own empty database.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def write_engine(engine: Engine, durable: bool = False) -> Engine:
    """The same engine (same pool) whose transactions take the write lock up front.

    ``durable``: on SQLite, each commit is on disk when it returns (``synchronous=FULL``:
    the WAL is synced at every commit).  Other writes keep ``NORMAL``, where a commit is
    safe from a crash of the process but the last ones may be lost with the power, until
    the next checkpoint.  For writes that something outside the database vouches for once
    they are committed (evidence rows, whose head then goes to the chain-head log: a log
    line surviving rows lost with the power would read as rows removed).  PostgreSQL
    commits are durable already (``synchronous_commit`` on)."""
    options = {_WRITE_OPTION: True, _DURABLE_OPTION: True} if durable else {_WRITE_OPTION: True}
    return engine.execution_options(**options)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            # Safe from a process crash with WAL, much faster commits; see ``write_engine``.
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()
    except BaseException:
        dbapi_connection.close()  # e.g. "file is not a database": don't leak the handle
        raise


def _sqlite_on_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    # Set outside the transaction (before BEGIN).  A pooled connection keeps what the last
    # transaction set: a durable one always sets FULL (a pragma costs nothing beside the
    # sync), the others go back to NORMAL after one.
    if options.get(_DURABLE_OPTION, False):
        conn.exec_driver_sql("PRAGMA synchronous = FULL")
        conn.info[_SYNCHRONOUS] = "FULL"
    elif conn.info.get(_SYNCHRONOUS) == "FULL":
        conn.exec_driver_sql("PRAGMA synchronous = NORMAL")
        conn.info[_SYNCHRONOUS] = "NORMAL"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE_OPTION, False) else "BEGIN")
