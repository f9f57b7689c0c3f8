"""Health, readiness, metrics (no auth), and the authenticated exports, fleet and evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session

from crawler.api import audit, captures, exports, review
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import (
    ApiSettings,
    RowId,
    database,
    reading,
    require,
    settings,
)
from crawler.api.queries import SiteFilters, visible_site
from crawler.api.scope import Principal

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process answers: liveness only."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
def readyz(db: Annotated[Database, Depends(database)]) -> Any:
    """Ready when the registry database answers."""
    if not db.ping():
        raise HTTPException(status_code=503, detail="registry database unavailable")
    return {"status": "ready"}


@router.get("/metrics", tags=["health"], response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    body = generate_latest(request.app.state.metrics.registry)
    return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/exports/sites.{fmt}", tags=["exports"])
def export_sites(
    fmt: Literal["csv", "jsonl", "stix"],
    principal: Annotated[Principal, Depends(require(r.EXPORTS))],
    db: Annotated[Database, Depends(database)],
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
) -> StreamingResponse:
    """Every visible site matching the filters, streamed; the export is audited first."""
    filters = SiteFilters(kind=kind, status=status, tag=tag)
    with db.writing() as session:
        audit.record(session, principal, "export.sites", target=fmt,
                     after={"kind": kind, "status": status, "tag": tag})  # fmt: skip
    return StreamingResponse(
        exports.stream(db, principal, fmt, filters), media_type=exports.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="isop-sites.{_suffix(fmt)}"'},
    )  # fmt: skip


def _suffix(fmt: str) -> str:
    return "stix.json" if fmt == "stix" else fmt


@router.get("/api/v1/fleet", tags=["fleet"])
def fleet(
    _: Annotated[Principal, Depends(require(r.FLEET_READ))],
    config: Annotated[ApiSettings, Depends(settings)],
) -> dict[str, Any]:
    """Frontier depth per shard and live workers, read from the fleet's Redis."""
    if not config.redis_urls:
        raise HTTPException(status_code=503, detail="no fleet configured: set ISOP_REDIS_URLS")
    from crawler.fleet import gather
    from crawler.frontier.store import Frontier, FrontierSettings
    from crawler.keys import Keys
    from crawler.redis_server import client_for

    try:
        frontier = Frontier.connect(list(config.redis_urls), config.key_prefix,
                                    FrontierSettings(shards=config.shards),
                                    cluster=config.redis_cluster)  # fmt: skip
        client = client_for(config.redis_urls[0], config.redis_cluster)
        try:
            return gather(frontier, client, Keys(config.key_prefix)).to_json()
        finally:
            frontier.close()
            client.close()
    except Exception as exc:  # Redis away: a 503 that names the cause, not a 500
        raise HTTPException(status_code=503, detail=f"fleet Redis unavailable: {exc}") from None


@router.get("/api/v1/evaluation", tags=["evaluation"])
def evaluation(
    principal: Annotated[Principal, Depends(require(r.EVAL_READ))],
    session: Annotated[Session, Depends(reading)],
    config: Annotated[ApiSettings, Depends(settings)],
) -> dict[str, Any]:
    """The newest saved ``isop eval`` result (``<data_dir>/eval/*.json``) and the precision of
    the automatic flags against the analysts' verdicts so far."""
    labels = review.labels(session, principal)
    sites = {row["site_id"]: row["label"] for row in labels}  # one verdict per site
    confirmed = sum(1 for label in sites.values() if label == "confirmed")
    rejected = sum(1 for label in sites.values() if label == "false_positive")
    reviewed = confirmed + rejected
    return {
        "analyst_review": {
            "reviewed_sites": reviewed, "confirmed": confirmed, "false_positive": rejected,
            "precision_of_flags": round(confirmed / reviewed, 4) if reviewed else None,
        },
        "latest_eval": _latest_eval(Path(config.data_dir) / "eval"),
    }  # fmt: skip


def _latest_eval(folder: Path) -> dict[str, Any] | None:
    try:
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a broken file is skipped, the next newest is served
        if isinstance(data, dict):
            return {"file": path.name, "result": data}
    return None


def _captures_available() -> None:
    if not captures.AVAILABLE:
        raise HTTPException(status_code=501, detail="the evidence feature is not installed")


@router.get("/api/v1/sites/{site_id}/captures", tags=["evidence"])
def site_captures(
    site_id: RowId,
    principal: Annotated[Principal, Depends(require(r.SITES_READ))],
    session: Annotated[Session, Depends(reading)],
) -> dict[str, Any]:
    """The WARC captures of a site's pages (newest first), each with its download link."""
    _captures_available()
    if visible_site(session, principal, site_id) is None:
        raise HTTPException(status_code=404, detail="no such site")
    return {"items": captures.for_site(session, site_id)}


@router.get("/api/v1/captures/{capture_id}/warc", tags=["evidence"])
def capture_warc(
    capture_id: RowId,
    principal: Annotated[Principal, Depends(require(r.SITES_READ))],
    db: Annotated[Database, Depends(database)],
    config: Annotated[ApiSettings, Depends(settings)],
) -> Response:
    """The capture's WARC records as stored (gzip members); the download is audited and the
    bytes re-checked against the capture's SHA-256 (``X-Evidence-Verified``)."""
    _captures_available()
    with db.reading() as session:
        found = captures.read_visible(session, principal, capture_id,
                                      Path(config.data_dir) / "evidence")  # fmt: skip
    if found is None:
        raise HTTPException(status_code=404, detail="no such capture")
    with db.writing() as session:
        audit.record(session, principal, "evidence.download", site_id=found.site_id,
                     target=f"capture {capture_id}",
                     after={"sha256": found.sha256, "verified": found.verified})  # fmt: skip
    return Response(
        found.data, media_type="application/warc",
        headers={"Content-Disposition": f'attachment; filename="capture-{capture_id}.warc.gz"',
                 "X-Evidence-SHA256": found.sha256,
                 "X-Evidence-Verified": "yes" if found.verified else "no"},
    )  # fmt: skip
