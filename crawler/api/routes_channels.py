"""``/api/v1/catalog/channels``: the protected (pay-TV) channels the title detector matches in
playlists and pages.

The same rules as the works (:mod:`crawler.api.routes_works`): anyone who reads sites lists
them; analysts add, edit and remove them, audited before and after; they are rows of the
registry, reloaded by running crawlers at their next version check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from crawler.api import catalog_rows as rows
from crawler.api.deps import RowId
from crawler.registry.channels import NAME_LEN, ChannelIn

router = APIRouter(prefix="/channels")  # included by routes_catalog under /api/v1/catalog


class ChannelPatch(BaseModel):
    """The fields to change; ``revision``, if given, must be the channel's current one."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=NAME_LEN)
    owner: str | None = Field(None, max_length=200)
    aliases: list[str] | None = Field(None, max_length=100)
    revision: int | None = Field(None, ge=1)


@router.get("")
def list_channels(
    _: rows.Reader,
    db: rows.Seeded,
    q: Annotated[
        str | None,
        Query(max_length=NAME_LEN, description="name contains (case and accents folded)"),
    ] = None,
    cursor: rows.Cursor = 0,
    limit: rows.Limit = 1000,
) -> dict[str, Any]:
    """The protected channels, oldest first, and the catalog's version."""
    return rows.list_page(db, "channel", q, cursor, limit)


@router.get("/{channel_id}")
def get_channel(
    channel_id: RowId,
    _: rows.Reader,
    db: rows.Seeded,
) -> dict[str, Any]:
    return rows.get(db, "channel", channel_id)


@router.post("", status_code=201)
def add_channel(
    body: ChannelIn,
    principal: rows.Writer,
    db: rows.Seeded,
) -> dict[str, Any]:
    """Add a channel (409 when one of that name exists); crawlers pick it up live."""
    return rows.add(db, principal, "channel", body)


@router.patch("/{channel_id}")
def edit_channel(
    channel_id: RowId,
    body: ChannelPatch,
    principal: rows.Writer,
    db: rows.Seeded,
) -> dict[str, Any]:
    """Change some fields of a channel (409 on a stale ``revision`` or a taken name)."""
    return rows.edit(db, principal, "channel", channel_id, body)


@router.delete("/{channel_id}")
def remove_channel(
    channel_id: RowId,
    principal: rows.Writer,
    db: rows.Seeded,
    revision: rows.Revision = None,
) -> dict[str, Any]:
    return rows.remove(db, principal, "channel", channel_id, revision)
