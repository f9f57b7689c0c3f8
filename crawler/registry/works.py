"""The protected works the ``title_match`` detector looks for, kept in the registry database.

Why the database and not the YAML file: running crawlers must see an analyst's edit without
a restart, and in Kubernetes the config is a read-only mount.  Every write (add, edit,
remove, import) bumps one counter, ``catalog_works_state.version``, in the same
transaction; a running detector reads that one integer now and then and reloads the works
only when it moved (:mod:`crawler.registry.works_source`).  ``max(updated_at)`` would miss
a removal, a counter does not.

``config/catalog/works.yaml`` stays the seed and import format.  The first process that
opens the works of a database where they were never seeded (crawler, API or ``isop works``)
imports that file once, and records it in ``seeded_at``: a fresh install and the demo get
the shipped works, and an analyst who later removes every work does not see them come back.

Functions here work in the caller's session and do not commit; audit entries are the
caller's (:mod:`crawler.api.works`).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import JSON, Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crawler.registry.catalog_store import (
    STATE_ID,
    CatalogRow,
    CatalogWorksState,
    ImportReport,
    OnChange,
    by_key,
    delete,
    first_of_each,
    fold,
    import_each,
    insert,
    lock_state,
    restamp,
)
from crawler.registry.catalog_store import (
    WorkConflict as WorkConflict,  # re-exported: callers catch it by this name
)
from crawler.registry.models import TITLE_LEN, Base

WORK_FIELDS = ("title", "year", "kind", "owner", "aliases", "original_titles", "ambiguous")
_Spelling = Annotated[str, Field(min_length=1, max_length=TITLE_LEN)]


def no_controls(value: Any) -> Any:
    """``value`` (a string or a list of them) unless it holds a control character: a NUL is
    refused by PostgreSQL (a crash, not a 422) and no title has a tab or a line break."""
    for text in [value] if isinstance(value, str) else value:
        bad = next((char for char in text if unicodedata.category(char) == "Cc"), None)
        if bad is not None:
            raise ValueError(f"contains the control character U+{ord(bad):04X}")
    return value


def stripped(value: str, info: ValidationInfo) -> str:
    """``value`` without its surrounding spaces; refused when nothing is left ("the title
    is empty", "the name is empty": the field names itself)."""
    value = value.strip()
    if not value:
        raise ValueError(f"the {info.field_name} is empty")
    return value


class WorkIn(BaseModel):
    """A protected work as an analyst, an import file or the API gives it (validated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=TITLE_LEN)
    year: int | None = Field(None, ge=1880, le=2100)
    kind: str = Field("movie", min_length=1, max_length=32)
    owner: str = Field("", max_length=200)
    aliases: list[_Spelling] = Field(default_factory=list, max_length=100)
    original_titles: list[_Spelling] = Field(default_factory=list, max_length=100)
    ambiguous: bool = False

    _stripped = field_validator("title")(stripped)
    _printable = field_validator("title", "kind", "owner", "aliases", "original_titles")(
        no_controls
    )


class CatalogWork(CatalogRow, Base):
    """One protected work; ``match_key`` (folded title + year) is unique."""

    __tablename__ = "catalog_works"

    match_key: Mapped[str] = mapped_column(String(TITLE_LEN + 8), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LEN))
    year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON)
    original_titles: Mapped[list[str]] = mapped_column(JSON)
    ambiguous: Mapped[bool] = mapped_column(Boolean)


def search(query: Any, column: Any, q: str | None) -> Any:
    """``query`` limited to rows whose folded ``column`` contains folded ``q`` (if any)."""
    folded = fold(q or "")
    return query.where(column.contains(folded, autoescape=True)) if folded else query


def match_key(title: str, year: int | None) -> str:
    """Title (case-folded, spaces collapsed) and year: "Dune|2021"."""
    return f"{' '.join(title.casefold().split())}|{'' if year is None else year}"


def to_json(row: CatalogWork) -> dict[str, Any]:
    return {"id": row.id, **{name: getattr(row, name) for name in WORK_FIELDS},
            "created_by": row.created_by, "created_at": row.created_at.isoformat(),
            "updated_by": row.updated_by, "updated_at": row.updated_at.isoformat(),
            "revision": row.revision}  # fmt: skip


def fields_of(row: CatalogWork) -> dict[str, Any]:
    """The work's own fields (what an edit changes and the audit log shows)."""
    return {name: getattr(row, name) for name in WORK_FIELDS}


def version(session: Session) -> int:
    """The works' version: changes with every write (0 before the first)."""
    query = select(CatalogWorksState.version).where(CatalogWorksState.id == STATE_ID)
    value = session.scalar(query)
    return int(value or 0)


def works(session: Session) -> list[CatalogWork]:
    return list(session.scalars(select(CatalogWork).order_by(CatalogWork.id)))


def find(session: Session, work_id: int) -> CatalogWork | None:
    return session.get(CatalogWork, work_id)


def find_key(session: Session, title: str, year: int | None) -> CatalogWork | None:
    row: CatalogWork | None = by_key(session, CatalogWork, match_key(title, year))
    return row


def _taken(other: CatalogWork) -> str:
    return f"{other.title!r} ({other.year}) is already work #{other.id}"


def add(session: Session, work: WorkIn, actor: str) -> CatalogWork:
    """Add ``work``; WorkConflict when a work of that title and year exists."""
    key = match_key(work.title, work.year)
    row: CatalogWork = insert(session, CatalogWork, work, key, work.title, actor, _taken)
    return row


def edit(session: Session, row: CatalogWork, work: WorkIn, actor: str) -> bool:
    """Replace the fields of ``row`` with ``work``; False when nothing changes."""
    key = match_key(work.title, work.year)
    return restamp(session, row, work, key, work.title, actor, _taken)


remove = delete


def import_works(
    session: Session, rows: list[WorkIn], actor: str, report: ImportReport,
    on_change: OnChange | None = None,
) -> None:  # fmt: skip
    """Add each row, or update the work of the same title and year when it differs."""
    import_each(rows, report, on_change, fields_of=fields_of, label=lambda work: work.title,
                find=lambda work: find_key(session, work.title, work.year),
                add=lambda work: add(session, work, actor),
                edit=lambda row, work: edit(session, row, work, actor))  # fmt: skip


def read_file(path: Any) -> tuple[list[WorkIn], list[str]]:
    """The valid works of a YAML works file and one message per invalid row.

    Raises ``detectors.base.DetectorError`` for a file that is not a works file at all.
    """
    from detectors.title.catalog import read_rows

    rows, errors = read_rows(path, "works", WorkIn)
    works = first_of_each(
        rows, errors, lambda work: match_key(work.title, work.year),
        lambda position, work, first: f"works #{position} ({work.title[:80]!r}): the same "
        f"title and year as works #{first}",
    )  # fmt: skip
    return works, errors


def seed_due(session: Session) -> bool:
    """True while the works of this database were never seeded (cheap: one row)."""
    seeded = session.scalar(
        select(CatalogWorksState.seeded_at).where(CatalogWorksState.id == STATE_ID)
    )
    return seeded is None


def seed(
    session: Session, path: Any, actor: str, on_change: OnChange | None = None
) -> ImportReport | None:
    """Import ``path`` if this database's works were never seeded (None when they were).

    The state row is locked first, so of several processes starting at once one seeds.
    """
    state = lock_state(session)
    if state.seeded_at is not None:
        return None
    rows, errors = read_file(path)
    report = ImportReport(errors=errors)
    import_works(session, rows, actor, report, on_change)
    state = lock_state(session)
    state.seeded_at, state.seeded_from = datetime.now(UTC), str(path)
    return report


import_rows = import_works  # the name crawler.api.works calls for works and channels alike
