"""``/api/v1/catalog/works``: the protected works the title detector matches.

Anyone who reads sites lists them; analysts add, edit and remove them (audited, before and
after).  They are rows of the registry database, so an edit reaches running crawlers at
their next version check (``works.check_interval`` seconds) and a read-only config mount
changes nothing.  Every endpoint first makes sure the works were seeded from the YAML file
once (see :mod:`crawler.registry.works`), so a fresh install lists the shipped works.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from crawler.api import catalog_rows as rows
from crawler.api.deps import RowId
from crawler.registry.models import TITLE_LEN
from crawler.registry.works import WorkIn

router = APIRouter(prefix="/works")  # included by routes_catalog under /api/v1/catalog


class WorkPatch(BaseModel):
    """The fields to change; ``revision``, if given, must be the work's current one."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=TITLE_LEN)
    year: int | None = Field(None, ge=1880, le=2100)
    kind: str | None = Field(None, min_length=1, max_length=32)
    owner: str | None = Field(None, max_length=200)
    aliases: list[str] | None = Field(None, max_length=100)
    original_titles: list[str] | None = Field(None, max_length=100)
    ambiguous: bool | None = None
    revision: int | None = Field(None, ge=1)


@router.get("")
def list_works(
    _: rows.Reader,
    db: rows.Seeded,
    q: Annotated[
        str | None,
        Query(max_length=TITLE_LEN, description="title contains (case and accents folded)"),
    ] = None,
    cursor: rows.Cursor = 0,
    limit: rows.Limit = 1000,
) -> dict[str, Any]:
    """The protected works, oldest first, and the catalog's version."""
    return rows.list_page(db, "work", q, cursor, limit)


@router.get("/{work_id}")
def get_work(
    work_id: RowId,
    _: rows.Reader,
    db: rows.Seeded,
) -> dict[str, Any]:
    return rows.get(db, "work", work_id)


@router.post("", status_code=201)
def add_work(
    body: WorkIn,
    principal: rows.Writer,
    db: rows.Seeded,
) -> dict[str, Any]:
    """Add a work (409 when one of that title and year exists); crawlers pick it up live."""
    return rows.add(db, principal, "work", body)


@router.patch("/{work_id}")
def edit_work(
    work_id: RowId,
    body: WorkPatch,
    principal: rows.Writer,
    db: rows.Seeded,
) -> dict[str, Any]:
    """Change some fields of a work (409 on a stale ``revision`` or a taken title and year)."""
    return rows.edit(db, principal, "work", work_id, body)


@router.delete("/{work_id}")
def remove_work(
    work_id: RowId,
    principal: rows.Writer,
    db: rows.Seeded,
    revision: rows.Revision = None,
) -> dict[str, Any]:
    return rows.remove(db, principal, "work", work_id, revision)
