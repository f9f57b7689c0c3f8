"""``/api/v1/catalog/channels``: the protected (pay-TV) channels the title detector matches in
playlists and pages.

The same rules as the works (:mod:`crawler.api.routes_works`): anyone who reads sites lists
them; analysts add, edit and remove them, audited before and after; they are rows of the
registry, reloaded by running crawlers at their next version check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from crawler.api import roles as r
from crawler.api import works
from crawler.api.db import Database
from crawler.api.deps import RowId, require
from crawler.api.routes_works import patch, seeded, stale
from crawler.api.scope import Principal
from crawler.registry import channels as store
from crawler.registry.channels import NAME_LEN, CatalogChannel, ChannelIn
from crawler.registry.works import WorkConflict, search
from crawler.registry.works import version as catalog_version

router = APIRouter(prefix="/channels")  # included by routes_catalog under /api/v1/catalog


class ChannelPatch(BaseModel):
    """The fields to change; ``revision``, if given, must be the channel's current one."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=NAME_LEN)
    owner: str | None = Field(None, max_length=200)
    aliases: list[str] | None = Field(None, max_length=100)
    revision: int | None = Field(None, ge=1)


def _channel(session: Any, channel_id: int) -> CatalogChannel:
    row = store.find(session, channel_id)
    if row is None:
        raise HTTPException(status_code=404, detail="no such channel")
    return row


@router.get("")
def list_channels(
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    db: Annotated[Database, Depends(seeded)],
    q: Annotated[
        str | None,
        Query(max_length=NAME_LEN, description="name contains (case and accents folded)"),
    ] = None,
    cursor: Annotated[int, Query(ge=0, description="the last id of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> dict[str, Any]:
    """The protected channels, oldest first, and the catalog's version."""
    query = select(CatalogChannel).where(CatalogChannel.id > cursor).order_by(CatalogChannel.id)
    query = search(query, CatalogChannel.search_text, q)
    with db.reading() as session:
        rows = list(session.scalars(query.limit(limit + 1)))
        version = catalog_version(session)
        items = [store.to_json(row) for row in rows[:limit]]
    more = len(rows) > limit
    return {"version": version, "items": items,
            "next_cursor": str(items[-1]["id"]) if more else None}  # fmt: skip


@router.get("/{channel_id}")
def get_channel(
    channel_id: RowId,
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    with db.reading() as session:
        return store.to_json(_channel(session, channel_id))


@router.post("", status_code=201)
def add_channel(
    body: ChannelIn,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    """Add a channel (409 when one of that name exists); crawlers pick it up live."""
    try:
        with db.writing() as session:
            return {"channel": store.to_json(works.add(session, principal, body, "channel"))}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.patch("/{channel_id}")
def edit_channel(
    channel_id: RowId,
    body: ChannelPatch,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
) -> dict[str, Any]:
    """Change some fields of a channel (409 on a stale ``revision`` or a taken name)."""
    changes = body.model_dump(exclude_unset=True)
    revision = changes.pop("revision", None)
    try:
        with db.writing() as session:
            row = _channel(session, channel_id)
            changed = patch(session, principal, row, changes, revision, "channel")
            return {"changed": changed, "channel": store.to_json(row)}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.delete("/{channel_id}")
def remove_channel(
    channel_id: RowId,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(seeded)],
    revision: Annotated[int | None, Query(ge=1, description="409 unless still at it")] = None,
) -> dict[str, Any]:
    try:
        with db.writing() as session:
            row = _channel(session, channel_id)
            stale(row, revision, "channel")
            return {"removed": works.remove(session, principal, row, "channel")}
    except WorkConflict as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
