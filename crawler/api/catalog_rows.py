"""What the works and channels endpoints share: the catalog's rows are listed, read, added,
edited and removed by the same rules whatever their kind, so the rules live here once.

Route modules (:mod:`crawler.api.routes_works`, :mod:`crawler.api.routes_channels`) keep
their FastAPI signatures explicit (dependency injection and OpenAPI read them) and hand the
work to these helpers; the console's catalog pages use ``seeded``, ``patch`` and ``stale``.
Errors map to HTTP answers here: 404 for an unknown id, 409 for a conflict (a taken name or
a stale ``revision``), 422 naming the first invalid field, 503 for a broken seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from crawler.api import roles as r
from crawler.api import works
from crawler.api.db import Database
from crawler.api.deps import ApiSettings, database, require, settings
from crawler.api.scope import Principal
from crawler.registry.channels import CatalogChannel, ChannelIn
from crawler.registry.works import CatalogWork, WorkConflict, WorkIn, search, version

MODELS: dict[works.Kind, Any] = {"work": CatalogWork, "channel": CatalogChannel}


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


# The parameters every catalog endpoint takes, named once (FastAPI reads them as written).
Reader = Annotated[Principal, Depends(require(r.SITES_READ))]
Writer = Annotated[Principal, Depends(require(r.CATALOG_WRITE))]
Seeded = Annotated[Database, Depends(seeded)]
Cursor = Annotated[int, Query(ge=0, description="the last id of the previous page")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Revision = Annotated[int | None, Query(ge=1, description="409 unless still at it")]


@contextmanager
def conflicts() -> Iterator[None]:
    """Answer 409 for a :class:`WorkConflict` raised inside (a taken key, a stale revision)."""
    try:
        yield
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


def one(session: Any, kind: works.Kind, row_id: int) -> Any:
    """The ``kind`` row ``row_id``; 404 when there is none."""
    row = works.STORES[kind].find(session, row_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"no such {kind}")
    return row


def list_page(db: Database, kind: works.Kind, q: str | None, cursor: int,
              limit: int) -> dict[str, Any]:  # fmt: skip
    """One page of ``kind`` rows after id ``cursor``, oldest first, those whose search text
    contains ``q``, with the catalog's version and the next page's cursor."""
    model = MODELS[kind]
    query = search(select(model).where(model.id > cursor).order_by(model.id), model.search_text, q)
    with db.reading() as session:
        rows = list(session.scalars(query.limit(limit + 1)))
        current = version(session)
        items = [works.STORES[kind].to_json(row) for row in rows[:limit]]
    more = len(rows) > limit
    return {"version": current, "items": items,
            "next_cursor": str(items[-1]["id"]) if more else None}  # fmt: skip


def get(db: Database, kind: works.Kind, row_id: int) -> dict[str, Any]:
    with db.reading() as session:
        json: dict[str, Any] = works.STORES[kind].to_json(one(session, kind, row_id))
        return json


def add(db: Database, principal: Principal, kind: works.Kind, body: Any) -> dict[str, Any]:
    """Add ``body`` as a ``kind`` row: ``{kind: row}``, 409 when its key is taken."""
    with conflicts(), db.writing() as session:
        return {kind: works.STORES[kind].to_json(works.add(session, principal, body, kind))}


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


def edit(db: Database, principal: Principal, kind: works.Kind, row_id: int,
         body: BaseModel) -> dict[str, Any]:  # fmt: skip
    """The API's PATCH: ``{"changed": bool, kind: row}``; 404, 409 or 422 as above."""
    changes = body.model_dump(exclude_unset=True)
    revision = changes.pop("revision", None)
    with conflicts(), db.writing() as session:
        row = one(session, kind, row_id)
        changed = patch(session, principal, row, changes, revision, kind)
        return {"changed": changed, kind: works.STORES[kind].to_json(row)}


def remove(db: Database, principal: Principal, kind: works.Kind, row_id: int,
           revision: int | None) -> dict[str, Any]:  # fmt: skip
    """The API's DELETE: ``{"removed": ...}``; 404, or 409 unless still at ``revision``."""
    with conflicts(), db.writing() as session:
        row = one(session, kind, row_id)
        stale(row, revision, kind)
        return {"removed": works.remove(session, principal, row, kind)}
