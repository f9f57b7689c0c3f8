"""Registry.open: a working database, or one clear line saying why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.registry import Registry, RegistryUnavailable
from crawler.registry.db import make_engine, redact


def _unavailable(url: str) -> str:
    with pytest.raises(RegistryUnavailable) as caught:
        Registry.open(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_open_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "isop-data" / "deep" / "registry.db"
    with Registry.open(f"sqlite:///{path}") as reg:
        assert reg.sites() == []
    assert path.is_file()


def test_reopen_keeps_the_data_and_migrates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    Registry.open(url).close()
    with Registry.open(url) as reg:
        assert reg.sites() == []


def test_in_memory_database_works() -> None:
    with Registry.open("sqlite://") as reg:
        assert reg.sites() == []


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1}


def test_path_under_a_file_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    url = f"sqlite:///{blocker / 'registry.db'}"
    message = _unavailable(url)
    assert message.startswith(f"{url}: ")


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    garbage = tmp_path / "registry.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    message = _unavailable(f"sqlite:///{garbage}")
    assert message.endswith("file is not a database")


def test_unknown_dialect_is_unavailable_and_hides_the_password() -> None:
    message = _unavailable("nosuchdb://isop:s3cret@db.example/registry")
    assert "s3cret" not in message
    assert message.startswith("nosuchdb://isop:***@db.example/registry: ")
    assert "nosuchdb" in message.split(": ", 1)[1]


def test_unreachable_server_is_unavailable() -> None:
    message = _unavailable("postgresql://isop:s3cret@127.0.0.1:1/registry")
    assert "s3cret" not in message


def test_garbage_url_is_unavailable() -> None:
    message = _unavailable("not a url at all")
    assert message.startswith("not a url at all: ")


def test_database_from_a_newer_release_is_unavailable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    Registry.open(url).close()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            # One row per migration branch head: the registry's own one becomes unknown.
            connection.execute(
                text("UPDATE alembic_version SET version_num = 'fffffff' WHERE version_num = :v"),
                {"v": "0101"},
            )
    finally:
        engine.dispose()
    assert "fffffff" in _unavailable(url)


def test_redact_without_password() -> None:
    assert redact("sqlite:///isop-data/registry.db") == "sqlite:///isop-data/registry.db"
    assert redact("postgresql://u:p@h/db") == "postgresql://u:***@h/db"
