"""What the works and channels stores share: the one catalog version, the folded search
text, and the row life cycle (add, edit, remove, import) whatever the kind of row.

Works (:mod:`crawler.registry.works`) and channels (:mod:`crawler.registry.channels`) differ
in their fields, their key (title and year, or name) and their messages; the rules are the
same: every write locks the state row and bumps the version running detectors poll, a row
carries who made it and when, a revision counting its edits, and its folded search text.
Functions work in the caller's session and do not commit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from crawler.registry.models import Base
from crawler.registry.types import UTCDateTime

STATE_ID = 1
_ROW_NUMBER = re.compile(r"#(\d+)")


class CatalogWorksState(Base):
    """One row: the works' version (bumped by every write) and when the seed file was read."""

    __tablename__ = "catalog_works_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seeded_from: Mapped[str | None] = mapped_column(Text)
    # The channels' seed (revision 0702): the same counter versions works and channels.
    channels_seeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CatalogRow:
    """The columns every catalog row (work, channel) has beside its own fields: id, who made
    and last changed it and when, its revision and its folded search text.  (``sort_order``
    keeps the id first and these last, the order of the migrations' tables.)"""

    # Ids are never reused (0703), so an edit or removal naming an id and a revision can
    # only ever reach the row it was made against.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    created_by: Mapped[str] = mapped_column(String(64), sort_order=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, sort_order=1)
    updated_by: Mapped[str] = mapped_column(String(64), sort_order=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, sort_order=1)
    # Edits of this row so far (1 when added): an edit may name the revision it started from.
    revision: Mapped[int] = mapped_column(Integer, sort_order=1)
    # The key text folded by ``fold`` (revision 0703): what ``q`` searches on every backend.
    search_text: Mapped[str] = mapped_column(Text, server_default="", sort_order=1)


@dataclass
class ImportReport:
    """What an import did, row by row: counts, and one line per refused row."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


# Told of each change an import makes: (work or channel, fields before or None, fields after).
OnChange = Callable[[Any, dict[str, Any] | None, dict[str, Any]], None]


def fold(text: str) -> str:
    """Case and accents folded, spaces collapsed: "Été  à Paris" -> "ete a paris".

    Searches compare folded text with folded text in Python-written columns: SQLite's
    ``lower()`` knows only ASCII, and PostgreSQL's ``unaccent`` is an extension a server may
    not have.  (Migration 0703 backfills with a copy of this function: keep them alike.)
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(unicodedata.normalize("NFC", bare).split())


def lock_state(session: Session) -> CatalogWorksState:
    """The state row, locked for this transaction (PostgreSQL; SQLite writers hold the lock)."""
    query = select(CatalogWorksState).where(CatalogWorksState.id == STATE_ID).with_for_update()
    row = session.scalar(query)
    if row is None:  # the migration inserts it; a hand-emptied table gets it back
        row = CatalogWorksState(id=STATE_ID, version=0)
        session.add(row)
        session.flush()
    return row


def bump_version(session: Session) -> None:
    lock_state(session)
    session.execute(update(CatalogWorksState).where(CatalogWorksState.id == STATE_ID)
                    .values(version=CatalogWorksState.version + 1,
                            changed_at=datetime.now(UTC)))  # fmt: skip


class WorkConflict(Exception):
    """Another work already has this title and year (the message names it)."""


def by_key(session: Session, cls: Any, key: str) -> Any:
    """The ``cls`` row known by ``key`` (its unique ``match_key``), or None."""
    return session.scalar(select(cls).where(cls.match_key == key))


def insert(session: Session, cls: Any, item: BaseModel, key: str, text: str, actor: str,
           taken: Callable[[Any], str]) -> Any:  # fmt: skip
    """A new ``cls`` row of ``item``'s fields, at revision 1, known by ``key``, searched by
    ``text``; the version is bumped. WorkConflict(``taken(row)``) when ``key`` is a row's."""
    lock_state(session)  # writers of the catalog queue here: two adds of one key can't race
    existing = by_key(session, cls, key)
    if existing is not None:
        raise WorkConflict(taken(existing))
    now = datetime.now(UTC)
    row = cls(match_key=key, **item.model_dump(), created_by=actor[:64], created_at=now,
              updated_by=actor[:64], updated_at=now, revision=1,
              search_text=fold(text))  # fmt: skip
    session.add(row)
    bump_version(session)
    session.flush()
    return row


def restamp(session: Session, row: Any, item: BaseModel, key: str, text: str, actor: str,
            taken: Callable[[Any], str]) -> bool:  # fmt: skip
    """Give ``row`` the fields of ``item``, a new key, search text and revision, and bump the
    version; False when nothing changes, WorkConflict(``taken(other)``) when another row
    has ``key``."""
    fields = item.model_dump()
    if {name: getattr(row, name) for name in fields} == fields:
        return False
    lock_state(session)
    other = by_key(session, type(row), key)
    if other is not None and other.id != row.id:
        raise WorkConflict(taken(other))
    for name, value in fields.items():
        setattr(row, name, value)
    row.match_key, row.updated_by, row.updated_at = key, actor[:64], datetime.now(UTC)
    row.search_text = fold(text)
    row.revision += 1
    bump_version(session)
    session.flush()
    return True


def delete(session: Session, row: Any) -> None:
    session.delete(row)
    bump_version(session)
    session.flush()


def import_each(
    items: Iterable[Any], report: ImportReport, on_change: OnChange | None, *,
    find: Callable[[Any], Any], add: Callable[[Any], Any], edit: Callable[[Any, Any], bool],
    fields_of: Callable[[Any], dict[str, Any]], label: Callable[[Any], str],
) -> None:  # fmt: skip
    """Add each item, or update the row ``find`` gives when it differs; count each in
    ``report`` and tell ``on_change`` of each change."""
    for item in items:
        existing = find(item)
        before = fields_of(existing) if existing is not None else None
        if existing is None:
            existing = add(item)
            report.added.append(label(item))
        elif edit(existing, item):
            report.updated.append(label(item))
        else:
            report.unchanged += 1
            continue
        if on_change is not None:
            on_change(existing, before, fields_of(existing))


def first_of_each(rows: Iterable[tuple[int, Any]], errors: list[str], key: Callable[[Any], str],
                  repeated: Callable[[int, Any, int], str]) -> list[Any]:  # fmt: skip
    """The items of a file's (row number, item) pairs, each ``key`` once: a repeat adds
    ``repeated(row, item, first row)`` to ``errors``, which end sorted by row."""
    first: dict[str, int] = {}
    kept = []
    for position, item in rows:
        seen = key(item)
        if seen in first:
            errors.append(repeated(position, item, first[seen]))
            continue
        first[seen] = position
        kept.append(item)
    sort_by_row(errors)
    return kept


def sort_by_row(errors: list[str]) -> None:
    """Messages naming "#N" rows in file order."""
    errors.sort(key=lambda error: int(m.group(1)) if (m := _ROW_NUMBER.search(error)) else 0)
