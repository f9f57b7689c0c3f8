"""The protected works in the registry: seeded once from the YAML file, every write bumps the
version running detectors poll, every change audited; an import keeps the good rows of a
broken file and names each bad one (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from crawler.api import works as audited
from crawler.api.db import Database
from crawler.api.models import AuditEntry
from crawler.api.scope import Principal
from crawler.registry import works as store
from crawler.registry.works import WorkConflict, WorkIn
from detectors.base import DetectorError
from detectors.config import DEFAULT_CONFIG_PATH

SHIPPED = audited.works_path(DEFAULT_CONFIG_PATH)
ANALYST = Principal(7, "ana", "analyst", (), "token")


def _shipped_titles() -> list[str]:
    return [row["title"] for row in yaml.safe_load(SHIPPED.read_text("utf-8"))["works"]]


def _actions(db: Database) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.actor) for row in rows if row.action.startswith("catalog.work")]


def test_seeded_once_and_every_write_moves_the_version(registry_url: str) -> None:
    db = Database.open(registry_url)
    try:
        with db.reading() as session:
            assert store.version(session) == 0 and store.seed_due(session)
        with db.writing() as session:
            report = audited.seed(session, SHIPPED)
        assert report is not None and report.errors == []
        assert report.added == _shipped_titles()
        with db.reading() as session:
            assert [w.title for w in store.works(session)] == _shipped_titles()
            seeded_version = store.version(session)
            assert seeded_version >= 1 and not store.seed_due(session)
        actions = _actions(db)
        assert len(actions) == len(_shipped_titles())
        assert set(actions) == {("catalog.work.add", "seed")}

        with db.writing() as session:
            row = audited.add(session, ANALYST, WorkIn(title=" The Wild Robot ", year=2024))
            work_id = row.id
        assert row.title == "The Wild Robot" and row.revision == 1 and row.created_by == "ana"
        with pytest.raises(WorkConflict, match="already work"), db.writing() as session:
            audited.add(session, ANALYST, WorkIn(title="the  WILD robot", year=2024))
        with db.writing() as session:  # another year is another work
            other = audited.add(session, ANALYST, WorkIn(title="The Wild Robot", year=1970))
        with db.reading() as session:
            after_add = store.version(session)
        assert after_add == seeded_version + 2  # the refused add changed nothing

        with db.writing() as session:
            robot = store.find(session, work_id)
            assert robot is not None
            edited = WorkIn(title="The Wild Robot", year=2024, aliases=["Robô Selvagem"])
            assert audited.edit(session, ANALYST, robot, edited) is True
            assert audited.edit(session, ANALYST, robot, edited) is False  # same fields
            assert robot.revision == 2
            with pytest.raises(WorkConflict):  # onto the 1970 one's title and year
                store.edit(session, robot, WorkIn(title="The Wild Robot", year=1970), "ana")
        with db.writing() as session:
            found = store.find(session, other.id)
            assert found is not None
            audited.remove(session, ANALYST, found)
        with db.reading() as session:
            assert store.version(session) == after_add + 2
            assert store.find(session, other.id) is None

        with db.writing() as session:  # every work removed: the seed never comes back
            for row in store.works(session):
                store.remove(session, row)
        with db.writing() as session:
            assert audited.seed(session, SHIPPED) is None
        with db.reading() as session:
            assert store.works(session) == []
        edits = [a for a in _actions(db) if a[1] == "ana"]
        assert edits == [("catalog.work.add", "ana"), ("catalog.work.add", "ana"),
                         ("catalog.work.edit", "ana"), ("catalog.work.remove", "ana")]
        with db.reading() as session:
            query = select(AuditEntry).where(AuditEntry.action == "catalog.work.edit")
            entry = session.scalar(query)
            assert entry is not None and entry.before is not None and entry.after is not None
            assert entry.before["aliases"] == [] and entry.after["aliases"] == ["Robô Selvagem"]
    finally:
        db.close()


BROKEN = """
version: 1
works:
  - {title: "Flow", year: 2024, owner: "Sacrebleu", aliases: ["Straume"]}
  - {title: "   ", year: 2024}
  - {title: "Ancient", year: 1200}
  - {title: "Colour", colour: red}
  - just a string
  - {year: 2020}
  - {title: "flow", year: 2024, owner: "Someone else"}
  - {title: "%s"}
  - {title: "Memoir of a Snail", year: 2024, kind: movie}
""" % ("x" * 400)


def test_an_import_keeps_the_good_rows_and_names_each_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "works.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    db = Database.open(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        with db.writing() as session:
            report = audited.import_file(session, ANALYST, path)
        assert report.added == ["Flow", "Memoir of a Snail"] and report.updated == []
        assert [e.split(":")[0] for e in report.errors] == [
            "works #2", "works #3 ('Ancient')", "works #4 ('Colour')", "works #5", "works #6",
            "works #7 ('flow')", f"works #8 ('{'x' * 80}')"]  # fmt: skip
        assert "year" in report.errors[1] and "colour" in report.errors[2]
        assert "title" in report.errors[4] and "same title and year as works #1" in report.errors[5]
        assert "300" in report.errors[6]
        with db.reading() as session:
            rows = {w.title: w for w in store.works(session)}
        assert set(rows) == {"Flow", "Memoir of a Snail"}
        assert rows["Flow"].owner == "Sacrebleu" and rows["Flow"].aliases == ["Straume"]
        with db.writing() as session:  # again: nothing new
            again = audited.import_file(session, ANALYST, path)
        assert (again.added, again.updated, again.unchanged) == ([], [], 2)
        path.write_text(BROKEN.replace('"Sacrebleu"', '"Sacrebleu Films"'), encoding="utf-8")
        with db.writing() as session:  # a changed row updates its work
            changed = audited.import_file(session, ANALYST, path)
        assert (changed.added, changed.updated, changed.unchanged) == ([], ["Flow"], 1)

        for text in ("works: [", "version: 1\n", "- a list\n"):
            path.write_text(text, encoding="utf-8")
            with pytest.raises(DetectorError, match=str(path)), db.writing() as session:
                audited.import_file(session, ANALYST, path)
    finally:
        db.close()


def test_two_writers_adding_one_title_get_one_work_and_one_conflict(registry_url: str) -> None:
    """The second writer waits for the first (the state row's lock) and then sees its work."""
    import threading

    db = Database.open(registry_url)
    outcome: list[str] = []
    try:
        with db.writing() as first:
            audited.add(first, ANALYST, WorkIn(title="Flow", year=2024))

            def second() -> None:
                try:
                    with db.writing() as session:
                        audited.add(session, ANALYST, WorkIn(title="FLOW", year=2024))
                    outcome.append("added")
                except WorkConflict:
                    outcome.append("conflict")

            racer = threading.Thread(target=second)
            racer.start()
            racer.join(0.5)
            assert racer.is_alive() and outcome == []  # waiting for the first to commit
        racer.join(30)
        assert outcome == ["conflict"]
        with db.reading() as session:
            assert [w.title for w in store.works(session)] == ["Flow"]
    finally:
        db.close()


def test_channels_seeded_once_versioned_with_the_works_and_imported_row_by_row(
    tmp_path: Path,
) -> None:
    from crawler.registry import channels as channel_store
    from crawler.registry.channels import ChannelIn

    db = Database.open(f"sqlite:///{tmp_path / 'registry.db'}")
    shipped = audited.seed_files(DEFAULT_CONFIG_PATH)[1]
    names = [row["name"] for row in yaml.safe_load(shipped.read_text("utf-8"))["channels"]]
    try:
        reports = audited.ensure_seeded(db, DEFAULT_CONFIG_PATH)
        assert set(reports) == {"work", "channel"} and reports["channel"].added == names
        assert audited.ensure_seeded(db, DEFAULT_CONFIG_PATH) == {}  # once
        with db.reading() as session:
            version = store.version(session)
        with db.writing() as session:
            row = audited.add(session, ANALYST, ChannelIn(name=" Téléfoot "), "channel")
            with pytest.raises(WorkConflict):
                channel_store.add(session, ChannelIn(name="TÉLÉFOOT"), "ana")
            assert audited.edit(session, ANALYST, row, ChannelIn(name="Téléfoot", owner="M"),
                                "channel")  # fmt: skip
            audited.remove(session, ANALYST, row, "channel")
        with db.reading() as session:
            assert store.version(session) == version + 3  # one counter for works and channels
            assert [c.name for c in channel_store.channels(session)] == names

        path = tmp_path / "channels.yaml"
        path.write_text('channels:\n  - {name: "Flow TV", aliases: ["FlowTV"]}\n'
                        '  - {name: "", owner: x}\n  - {name: "flow tv"}\n'
                        '  - {name: "B", aliases: "not a list"}\n', encoding="utf-8")  # fmt: skip
        with db.writing() as session:
            report = audited.import_file(session, ANALYST, path, "channel")
        assert report.added == ["Flow TV"]
        assert [e.split(":")[0] for e in report.errors] == [
            "channels #2", "channels #3 ('flow tv')", "channels #4 ('B')"]  # fmt: skip
        assert ("catalog.channel.add", "ana") in _channel_actions(db)
    finally:
        db.close()


def _channel_actions(db: Database) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("catalog.channel%")))
        return [(row.action, row.actor) for row in rows]


def test_search_folds_case_and_accents_alike_on_both_backends(registry_url: str) -> None:
    """``q`` of the works and channels lists: "ete" finds "L'ÉTÉ"; SQLite's ASCII-only
    ``lower()`` once made "é" miss "É" there while PostgreSQL found it."""
    from crawler.registry import channels as channel_store
    from crawler.registry.channels import CatalogChannel, ChannelIn
    from crawler.registry.works import CatalogWork

    assert store.fold("  L'ÉTÉ   Meurtrier ") == "l'ete meurtrier"
    assert store.fold("Straße ﬁnale Ångström") == "strasse finale angstrom"
    db = Database.open(registry_url)
    try:
        with db.writing() as session:
            for title in ("L'ÉTÉ meurtrier", "Été 85", "Cité de Dieu", "Final 100%_done"):
                audited.add(session, ANALYST, WorkIn(title=title))
            renamed = audited.add(session, ANALYST, WorkIn(title="Placeholder"))
            audited.edit(session, ANALYST, renamed, WorkIn(title="Ça tourne à Séoul"))
            for name in ("TÉLÉFOOT", "Télé-Loisirs", "Canal+"):
                audited.add(session, ANALYST, ChannelIn(name=name), "channel")

        def titles(q: str) -> list[str]:
            query = select(CatalogWork).order_by(CatalogWork.id)
            with db.reading() as session:
                found = session.scalars(store.search(query, CatalogWork.search_text, q))
                return [w.title for w in found]

        def names(q: str) -> list[str]:
            query = select(CatalogChannel).order_by(CatalogChannel.id)
            with db.reading() as session:
                found = session.scalars(store.search(query, CatalogChannel.search_text, q))
                return [c.name for c in found]

        assert titles("été") == titles("ETE") == titles("Ete") == ["L'ÉTÉ meurtrier", "Été 85"]
        assert titles("CITÉ") == titles("cite de") == ["Cité de Dieu"]
        assert titles("seoul") == titles("ÇA TOURNE") == ["Ça tourne à Séoul"]  # after an edit
        assert titles("placeholder") == []
        assert titles("100%_") == ["Final 100%_done"] and titles("1%0") == []  # literal
        assert len(titles("")) == 5 and len(titles("   ")) == 5  # no filter
        assert names("télé") == names("TELE") == ["TÉLÉFOOT", "Télé-Loisirs"]
        assert names("canal+") == ["Canal+"]
        with db.reading() as session:
            assert channel_store.find_key(session, "téléfoot") is not None
    finally:
        db.close()


def test_migration_0703_backfills_the_search_column(registry_url: str) -> None:
    """Works and channels stored before 0703 are found by a folded search after it."""
    from sqlalchemy import text

    from crawler.registry.db import make_engine, write_engine
    from crawler.registry.migrate import upgrade

    engine = make_engine(registry_url)
    try:
        upgrade(engine, "0702")
        with write_engine(engine).begin() as conn:
            for row_id, title in ((1, "Été 85"), (2, "ÇA")):
                conn.execute(text(
                    "INSERT INTO catalog_works (id, match_key, title, kind, owner, aliases, "
                    "original_titles, ambiguous, created_by, created_at, updated_by, updated_at, "
                    "revision) VALUES (:id, :key, :title, 'movie', '', '[]', '[]', false, 'x', "
                    "'2026-01-01', 'x', '2026-01-01', 1)"), {"id": row_id, "key": title.lower(),
                                                             "title": title})  # fmt: skip
            conn.execute(text(
                "INSERT INTO catalog_channels (id, match_key, name, owner, aliases, created_by, "
                "created_at, updated_by, updated_at, revision) VALUES (1, 'tf', 'TÉLÉ', '', '[]', "
                "'x', '2026-01-01', 'x', '2026-01-01', 1)"))  # fmt: skip
        upgrade(engine)
        with engine.connect() as conn:
            works = conn.execute(text("SELECT search_text FROM catalog_works ORDER BY id"))
            channels = conn.execute(text("SELECT search_text FROM catalog_channels"))
            folded = [store.fold("Été 85"), store.fold("ÇA")]
            assert works.scalars().all() == folded == ["ete 85", "ca"]
            assert channels.scalars().all() == ["tele"]
    finally:
        engine.dispose()


def test_control_characters_are_a_counted_row_error_not_a_database_crash(
    registry_url: str, tmp_path: Path
) -> None:
    """PostgreSQL refuses a NUL in text (psycopg raises); the models refuse it first."""
    from crawler.registry.channels import ChannelIn

    path = tmp_path / "works.yaml"
    path.write_text('works:\n  - {title: "Good"}\n  - {title: "Bad\\0Title"}\n'
                    '  - {title: "Fine", aliases: ["tab\\there"]}\n', encoding="utf-8")  # fmt: skip
    db = Database.open(registry_url)
    try:
        with db.writing() as session:
            report = audited.import_file(session, ANALYST, path)
        assert report.added == ["Good"]
        assert [e.split(":")[0] for e in report.errors] == [
            "works #2 ('Bad\\x00Title')", "works #3 ('Fine')"]  # the NUL escaped  # fmt: skip
        assert "U+0000" in report.errors[0] and "U+0009" in report.errors[1]
        for bad in ({"name": "TF1\x00"}, {"name": "TF1", "owner": "x\ny"}):
            with pytest.raises(ValueError, match="control character"):
                ChannelIn.model_validate(bad)
    finally:
        db.close()


def test_a_removed_works_id_is_never_given_to_another(registry_url: str) -> None:
    """A stale "remove work N at revision 1" must not reach a newer work: SQLite's plain
    rowid reused the highest removed id (AUTOINCREMENT since 0703); PostgreSQL never did."""
    from crawler.registry.channels import ChannelIn

    kinds: list[tuple[audited.Kind, Any]] = [("work", WorkIn(title="Gone")),
                                             ("channel", ChannelIn(name="Gone"))]  # fmt: skip
    db = Database.open(registry_url)
    try:
        for kind, item in kinds:
            with db.writing() as session:
                first_id = audited.add(session, ANALYST, item, kind).id
            with db.writing() as session:
                row = audited.STORES[kind].find(session, first_id)
                audited.remove(session, ANALYST, row, kind)
                assert audited.add(session, ANALYST, item, kind).id > first_id, kind
    finally:
        db.close()
