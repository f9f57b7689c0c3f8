"""Console pages: sites table, site page, review queue, alerts inbox, and their forms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crawler.api import actions, alerts, audit, captures, queries, review
from crawler.api import roles as r
from crawler.api.matched import (
    image_evidence,
    matched_references,
    thumbnail_response,
    visible_thumbnail,
)
from crawler.console.graph import cluster_svg
from crawler.console.web import check_csrf, db_of, page, safe_next, settings_of, who

router = APIRouter(prefix="/console", include_in_schema=False)

FILTER_KEYS = ("kind", "status", "tag", "tld", "min_score", "max_score", "q")


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or 0.0 <= number <= 1.0 else None


def _since(days: str | None) -> datetime | None:
    if not days or not days.isdigit():
        return None
    from datetime import timedelta

    return datetime.now(UTC) - timedelta(days=min(int(days), 36500))


@router.get("/sites", response_class=HTMLResponse)
def sites(
    request: Request,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    seen_days: Annotated[str | None, Query(max_length=6)] = None,
) -> HTMLResponse:
    principal = who(request)
    raw = {key: (request.query_params.get(key) or "").strip()[:253] for key in FILTER_KEYS}
    filters = queries.SiteFilters(
        kind=raw["kind"] or None, status=raw["status"] or None, tag=raw["tag"] or None,
        tld=raw["tld"] or None, min_score=_float(raw["min_score"]),
        max_score=_float(raw["max_score"]), last_seen_after=_since(seen_days), q=raw["q"] or None,
    )  # fmt: skip
    error = None
    with db_of(request).reading() as session:
        try:
            rows, next_cursor = queries.list_sites(session, principal, filters, 50, cursor)
        except queries.BadQuery as exc:
            rows, next_cursor, error = [], None, str(exc)
    kept = {k: v for k, v in {**raw, "seen_days": seen_days or ""}.items() if v}
    next_url = "?" + urlencode({**kept, "cursor": next_cursor}) if next_cursor else None
    return page(request, "sites.html", principal, rows=rows, filters=raw,
                seen_days=seen_days or "", next_url=next_url, error=error)  # fmt: skip


@router.get("/sites/{site_id}", response_class=HTMLResponse)
def site(request: Request, site_id: int) -> HTMLResponse:
    principal = who(request)
    with db_of(request).reading() as session:
        detail = queries.site_detail(session, principal, site_id)
        site_alerts = (alerts.list_alerts(session, principal, limit=500)
                       if alerts.AVAILABLE else [])  # fmt: skip
        site_captures = (captures.for_site(session, site_id, limit=50)
                         if captures.AVAILABLE and detail is not None else [])  # fmt: skip
        images = image_evidence(session, site_id, "/console") if detail is not None else []
    if detail is None:
        raise HTTPException(status_code=404, detail="no such site")
    hops = sorted(detail["domain_links"], key=lambda d: d["first_seen"])
    paired = {i["evidence_id"]: i["image_evidence_id"] for i in images if i["evidence_id"]}
    references = matched_references([e for e in detail["evidence"] if e["id"] not in paired],
                                    lambda: _catalog(request))  # fmt: skip
    return page(request, "site.html", principal, site=detail, hops=hops,
                cluster=cluster_svg(detail["domain_links"]), references=references,
                images=images, paired=paired,
                alerts=[a for a in site_alerts if a["site_id"] == site_id],
                captures=site_captures,
                statuses=actions.MANUAL_STATUSES)  # fmt: skip


def _catalog(request: Request) -> Any:
    from crawler.api.routes_catalog import open_catalog

    return open_catalog(settings_of(request))


@router.get("/catalog/{ref}/thumbnail.png")
def reference_thumbnail(request: Request, ref: int) -> Response:
    """A catalog reference's thumbnail (the catalog's own re-encoded PNG)."""
    from crawler.api.routes_catalog import reference_thumbnail

    who(request)
    return reference_thumbnail(settings_of(request), ref)


@router.get("/image-evidence/{image_id}/{which}")
def image_evidence_thumbnail(request: Request, image_id: int,
                             which: Literal["thumbnail", "reference"]) -> Response:  # fmt: skip
    """One half of a matched image's pair (our re-encoding), scoped like its site."""
    principal = who(request)
    with db_of(request).reading() as session:
        found = visible_thumbnail(session, principal, image_id, which)
    return thumbnail_response(found)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request) -> HTMLResponse:
    principal = who(request, r.SITES_REVIEW)
    threshold = settings_of(request).review_threshold
    with db_of(request).reading() as session:
        rows = review.queue(session, principal, threshold, 50)
    return page(request, "review.html", principal, rows=rows, threshold=threshold)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_inbox(request: Request, all: bool = False) -> HTMLResponse:
    principal = who(request, r.ALERTS_READ)
    rows: list[dict[str, Any]] = []
    if alerts.AVAILABLE:
        with db_of(request).reading() as session:
            rows = alerts.list_alerts(session, principal, unacked_only=not all, limit=200)
    return page(request, "alerts.html", principal, rows=rows, show_all=all,
                available=alerts.AVAILABLE)  # fmt: skip


def _act(request: Request, permission: str, csrf: str, work: Any, back: str) -> RedirectResponse:
    principal = who(request, permission)
    check_csrf(principal, csrf)
    try:
        with db_of(request).writing() as session:
            work(session, principal)
    except actions.NotFound:
        raise HTTPException(status_code=404, detail="not found") from None
    except PermissionError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return RedirectResponse(safe_next(back), status_code=303)


@router.post("/sites/{site_id}/review")
def review_site(request: Request, site_id: int, verdict: str = Form(max_length=32),
                csrf: str = Form(""), next: str = Form("")) -> RedirectResponse:  # fmt: skip
    return _act(request, r.SITES_REVIEW, csrf,
                lambda s, p: actions.review(s, p, site_id, verdict),
                next or f"/console/sites/{site_id}")  # fmt: skip


@router.post("/sites/{site_id}/status")
def change_status(request: Request, site_id: int, status: str = Form(max_length=32),
                  csrf: str = Form("")) -> RedirectResponse:  # fmt: skip
    return _act(request, r.SITES_STATUS, csrf,
                lambda s, p: actions.set_status(s, p, site_id, status),
                f"/console/sites/{site_id}")  # fmt: skip


@router.post("/sites/{site_id}/notes")
def add_note(request: Request, site_id: int, text: str = Form(max_length=actions.MAX_NOTE),
             csrf: str = Form("")) -> RedirectResponse:  # fmt: skip
    return _act(request, r.SITES_NOTE, csrf,
                lambda s, p: actions.add_note(s, p, site_id, text),
                f"/console/sites/{site_id}")  # fmt: skip


@router.post("/alerts/{alert_id}/ack")
def ack_alert(request: Request, alert_id: int, csrf: str = Form("")) -> RedirectResponse:
    if not alerts.AVAILABLE:
        raise HTTPException(status_code=501, detail="the alerts feature is not installed")
    return _act(request, r.ALERTS_ACK, csrf,
                lambda s, p: actions.ack_alert(s, p, alert_id), "/console/alerts")  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, before_id: int | None = None) -> HTMLResponse:
    principal = who(request, r.AUDIT_READ)
    with db_of(request).reading() as session:
        rows = audit.entries(session, principal, limit=100, before_id=before_id)
    older = f"?before_id={rows[-1]['id']}" if len(rows) == 100 else None
    return page(request, "audit.html", principal, rows=rows, older=older)
