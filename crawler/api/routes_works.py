"""``/api/v1/catalog/works``: the protected works the title detector matches.

Anyone who reads sites lists them; analysts add, edit and remove them (audited, before and
after).  They are rows of the registry database, so an edit reaches running crawlers at
their next version check (``works.check_interval`` seconds) and a read-only config mount
changes nothing.  Every endpoint first makes sure the works were seeded from the YAML file
once (see :mod:`crawler.registry.works`), so a fresh install lists the shipped works.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from crawler.api import roles as r
from crawler.api import works
from crawler.api.db import Database
from crawler.api.deps import ApiSettings, RowId, database, require, settings
from crawler.api.scope import Principal
from crawler.registry import works as store
from crawler.registry.channels import ChannelIn
from crawler.registry.models import TITLE_LEN
from crawler.registry.works import CatalogWork, WorkConflict, WorkIn

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


def seeded(
    db: Annotated[Database, Depends(database)],
    config: Annotated[ApiSettings, Depends(settings)],
) -> Database:
    """The database, its works and channels seeded from the YAML files if they never were."""
    try:
        works.ensure_seeded(db, config.detectors_config)
    except Exception as exc:  # a broken detector config or seed file: say which
        raise HTTPException(status_code=503, detail=f"title catalog seed: {exc}") from None
    return db


def _work(session: Any, work_id: int) -> CatalogWork:
    row = store.find(session, work_id)
    if row is None:
        raise HTTPException(status_code=404, detail="no such work")
    return row


@router.get("")
def list_works(
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    db: Annotated[Database, Depends(seeded)],
    q: Annotated[
        str | None,
        Query(max_length=TITLE_LEN, description="title contains (case and accents folded)"),
    ] = None,
    cursor: Annotated[int, Query(ge=0, description="the last id of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> dict[str, Any]:
    """The protected works, oldest first, and the catalog's version."""
    query = select(CatalogWork).where(CatalogWork.id > cursor).order_by(CatalogWork.id)
    query = store.search(query, CatalogWork.search_text, q)
    with db.reading() as session:
        rows = list(session.scalars(query.limit(limit + 1)))
        version = store.version(session)
        items = [store.to_json(row) for row in rows[:limit]]
    more = len(rows) > limit
    return {"version": version, "items": items,
            "next_cursor": str(items[-1]["id"]) if more else None}  # fmt: skip


@router.get("/{work_id}")
def get_work(
    work_id: RowId,
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    with db.reading() as session:
        return store.to_json(_work(session, work_id))


@router.post("", status_code=201)
def add_work(
    body: WorkIn,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    """Add a work (409 when one of that title and year exists); crawlers pick it up live."""
    try:
        with db.writing() as session:
            row = works.add(session, principal, body)
            return {"work": store.to_json(row)}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.patch("/{work_id}")
def edit_work(
    work_id: RowId,
    body: WorkPatch,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    """Change some fields of a work (409 on a stale ``revision`` or a taken title and year)."""
    changes = body.model_dump(exclude_unset=True)
    revision = changes.pop("revision", None)
    try:
        with db.writing() as session:
            row = _work(session, work_id)
            changed = patch(session, principal, row, changes, revision, "work")
            return {"changed": changed, "work": store.to_json(row)}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


def stale(row: Any, revision: int | None, kind: works.Kind) -> None:
    """WorkConflict when the caller started from another ``revision`` of ``row``."""
    if revision is not None and revision != row.revision:
        raise WorkConflict(f"{kind} {row.id} is at revision {row.revision}, not {revision}")


def patch(session: Any, principal: Principal, row: Any, changes: dict[str, Any],
          revision: int | None, kind: works.Kind) -> bool:  # fmt: skip
    """Apply ``changes`` to ``row`` from ``revision`` (the API's PATCH, the console's edit
    form): WorkConflict when stale or taken, HTTP 422 naming the first invalid field."""
    stale(row, revision, kind)
    model: Any = WorkIn if kind == "work" else ChannelIn
    try:
        item = model.model_validate({**works.STORES[kind].fields_of(row), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise HTTPException(status_code=422, detail=f"{where}: {first['msg']}") from None
    changed: bool = works.edit(session, principal, row, item, kind)
    return changed


@router.delete("/{work_id}")
def remove_work(
    work_id: RowId,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
    revision: Annotated[int | None, Query(ge=1, description="409 unless still at it")] = None,
) -> dict[str, Any]:
    try:
        with db.writing() as session:
            row = _work(session, work_id)
            stale(row, revision, "work")
            return {"removed": works.remove(session, principal, row)}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
