"""``/api/v1`` endpoints about sites: list, detail, review, status, notes, tags, alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from crawler.api import actions, alerts, queries, review
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import (
    ApiSettings,
    RowId,
    RowIdQuery,
    database,
    reading,
    require,
    settings,
)
from crawler.api.scope import Principal

router = APIRouter(prefix="/api/v1")

Kind = Literal["index", "streaming", "iptv"]


class SitePage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class ReviewBody(BaseModel):
    verdict: Literal["confirmed", "false_positive"]
    note: str | None = Field(None, max_length=actions.MAX_NOTE)


class StatusBody(BaseModel):
    status: Literal["confirmed", "false_positive", "monitored", "closed"]
    why: str | None = Field(None, max_length=2000)


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=actions.MAX_NOTE)


class TagsBody(BaseModel):
    tags: list[str] = Field(max_length=50)


def _write(db: Database, work: Any) -> Any:
    """Run ``work(session)`` in a write transaction; map domain errors to HTTP answers."""
    try:
        with db.writing() as session:
            return work(session)
    except actions.NotFound:
        raise HTTPException(status_code=404, detail="no such site") from None
    except PermissionError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/sites", response_model=SitePage, tags=["sites"])
def list_sites(
    principal: Annotated[Principal, Depends(require(r.SITES_READ))],
    session: Annotated[Session, Depends(reading)],
    kind: Kind | None = None,
    status: str | None = Query(None, max_length=16),
    tag: str | None = Query(None, max_length=16, description="country tag"),
    tld: str | None = Query(None, max_length=63),
    min_score: float | None = Query(None, ge=0, le=1),
    max_score: float | None = Query(None, ge=0, le=1),
    first_seen_after: datetime | None = None,
    last_seen_after: datetime | None = None,
    last_seen_before: datetime | None = None,
    q: str | None = Query(None, max_length=253, description="text in domains and labels"),
    limit: int = Query(50, ge=1, le=queries.MAX_PAGE),
    cursor: str | None = Query(None, max_length=200),
) -> SitePage:
    filters = queries.SiteFilters(
        kind=kind, status=status, tag=tag, tld=tld, min_score=min_score, max_score=max_score,
        first_seen_after=_aware(first_seen_after), last_seen_after=_aware(last_seen_after),
        last_seen_before=_aware(last_seen_before), q=q,
    )  # fmt: skip
    try:
        items, next_cursor = queries.list_sites(session, principal, filters, limit, cursor)
    except queries.BadQuery as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return SitePage(items=items, next_cursor=next_cursor)


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@router.get("/sites/{site_id}", tags=["sites"])
def site_detail(
    site_id: RowId,
    principal: Annotated[Principal, Depends(require(r.SITES_READ))],
    session: Annotated[Session, Depends(reading)],
    config: Annotated[ApiSettings, Depends(settings)],
) -> dict[str, Any]:
    detail = queries.site_detail(session, principal, site_id)
    if detail is None:
        raise HTTPException(status_code=404, detail="no such site")
    from crawler.api.matched import image_evidence, matched_images
    from crawler.api.routes_catalog import open_catalog

    kept = image_evidence(session, site_id, "/api/v1")
    detail["matched_images"] = matched_images(detail["evidence"], kept,
                                              lambda: open_catalog(config))  # fmt: skip
    return detail


@router.get("/image-evidence/{image_id}/{which}", response_class=Response, tags=["evidence"],
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}})  # fmt: skip
def image_evidence_thumbnail(
    image_id: RowId,
    which: Literal["thumbnail", "reference"],
    principal: Annotated[Principal, Depends(require(r.SITES_READ))],
    session: Annotated[Session, Depends(reading)],
) -> Response:
    """One half of a matched image's pair, re-encoded by us: the image the site showed
    (``thumbnail``) or the catalog reference it matched (``reference``)."""
    from crawler.api.matched import thumbnail_response, visible_thumbnail

    return thumbnail_response(visible_thumbnail(session, principal, image_id, which))


@router.post("/sites/{site_id}/review", tags=["sites"])
def review_site(
    site_id: RowId, body: ReviewBody,
    principal: Annotated[Principal, Depends(require(r.SITES_REVIEW))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:  # fmt: skip
    return _write(db, lambda s: actions.review(s, principal, site_id, body.verdict, body.note))


@router.post("/sites/{site_id}/status", tags=["sites"])
def change_status(
    site_id: RowId, body: StatusBody,
    principal: Annotated[Principal, Depends(require(r.SITES_STATUS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:  # fmt: skip
    return _write(db, lambda s: actions.set_status(s, principal, site_id, body.status, body.why))


@router.post("/sites/{site_id}/notes", status_code=201, tags=["sites"])
def add_note(
    site_id: RowId, body: NoteBody,
    principal: Annotated[Principal, Depends(require(r.SITES_NOTE))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, str]:  # fmt: skip
    _write(db, lambda s: actions.add_note(s, principal, site_id, body.text))
    return {"result": "noted"}


@router.put("/sites/{site_id}/tags", tags=["sites"])
def set_tags(
    site_id: RowId, body: TagsBody,
    principal: Annotated[Principal, Depends(require(r.SITES_STATUS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, list[str]]:  # fmt: skip
    return {"tags": _write(db, lambda s: actions.set_tags(s, principal, site_id, body.tags))}


@router.get("/review/queue", tags=["review"])
def review_queue(
    principal: Annotated[Principal, Depends(require(r.SITES_REVIEW))],
    session: Annotated[Session, Depends(reading)],
    config: Annotated[ApiSettings, Depends(settings)],
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    items = review.queue(session, principal, config.review_threshold, limit)
    return {"threshold": config.review_threshold, "items": items}


@router.get("/review/labels", tags=["review"])
def review_labels(
    principal: Annotated[Principal, Depends(require(r.EVAL_READ))],
    session: Annotated[Session, Depends(reading)],
) -> dict[str, Any]:
    return {"labels": review.labels(session, principal)}


def _alerts_available() -> None:
    if not alerts.AVAILABLE:
        raise HTTPException(status_code=501, detail="the alerts feature is not installed")


@router.get("/alerts", tags=["alerts"])
def list_alerts(
    principal: Annotated[Principal, Depends(require(r.ALERTS_READ))],
    session: Annotated[Session, Depends(reading)],
    unacked: bool = False,
    limit: int = Query(100, ge=1, le=500),
    before_id: RowIdQuery = None,
) -> dict[str, Any]:
    _alerts_available()
    items = alerts.list_alerts(session, principal, unacked_only=unacked, limit=limit,
                               before_id=before_id)  # fmt: skip
    return {"items": items}


@router.post("/alerts/{alert_id}/ack", tags=["alerts"])
def ack_alert(
    alert_id: RowId,
    principal: Annotated[Principal, Depends(require(r.ALERTS_ACK))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, bool]:
    _alerts_available()
    try:
        with db.writing() as session:
            fresh = actions.ack_alert(session, principal, alert_id)
    except actions.NotFound:
        raise HTTPException(status_code=404, detail="no such alert") from None
    return {"acknowledged": True, "was_new": fresh}
