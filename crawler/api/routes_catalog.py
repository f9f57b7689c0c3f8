"""``/api/v1/catalog``: analysts add, list and remove reference images of protected works;
anyone who reads sites sees them (and their thumbnails) and the protected works' titles.

The catalog (``detectors.catalog``) lives in its own SQLite file beside the registry; one is
opened per request (its connection is bound to the thread that made it).  Thumbnails are the
PNGs the catalog re-encoded at upload, never the uploaded bytes.  The works (titles the title
detector matches) and channels are rows of the registry: :mod:`crawler.api.routes_works`,
:mod:`crawler.api.routes_channels`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import Response

from crawler.api import audit, routes_channels, routes_works
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import ApiSettings, database, require, settings
from crawler.api.scope import Principal

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
MAX_UPLOAD = 20_000_000
DETECTOR = "image_phash"


# (detectors config, data dir) -> (until, catalog settings, directory): see open_catalog.
_SETTINGS: dict[tuple[str, str], tuple[float, Any, Path]] = {}
SETTINGS_TTL_S = 10.0


def open_catalog(config: ApiSettings) -> Any:
    """The image catalog the API settings name (HTTP 501/503 when it cannot be opened).

    Its settings are kept for ``SETTINGS_TTL_S``: reading them parses every detector YAML
    file (~0.3 s), and a page of thumbnails is one request each.  The catalog's contents
    are read afresh every time.
    """
    try:
        from detectors.catalog.service import ImageCatalog
        from detectors.catalog.settings import parse_settings
        from detectors.config import load_config
    except ImportError:
        raise HTTPException(status_code=501, detail="the image catalog is not installed") from None
    key = (config.detectors_config, config.data_dir)
    cached = _SETTINGS.get(key)
    if cached is not None and cached[0] >= time.monotonic():
        return ImageCatalog(cached[1], cached[2], samples=False)
    try:
        catalog_settings = parse_settings(
            load_config(Path(config.detectors_config)).settings_for(DETECTOR)
        )
    except Exception as exc:  # a broken detector config: say which, don't 500 without a word
        raise HTTPException(status_code=503, detail=f"catalog settings: {exc}") from None
    directory = (Path(catalog_settings.catalog_dir) if catalog_settings.catalog_dir
                 else Path(config.data_dir) / "catalog")  # fmt: skip
    _SETTINGS[key] = (time.monotonic() + SETTINGS_TTL_S, catalog_settings, directory)
    return ImageCatalog(catalog_settings, directory, samples=False)


@router.post("/images", status_code=201)
def add_image(
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(database)],
    config: Annotated[ApiSettings, Depends(settings)],
    image: Annotated[UploadFile, File(description="a raster image of the work")],
    work: Annotated[str, Form(min_length=1, max_length=300)],
    kind: Annotated[Literal["poster", "still", "logo"], Form()] = "poster",
    catalog: Annotated[str | None, Form(max_length=64)] = None,
) -> dict[str, Any]:
    from detectors.image.hashing import ImageRejected

    data = image.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(status_code=413, detail=f"image larger than {MAX_UPLOAD} bytes")
    images = open_catalog(config)
    try:
        ref, new = images.add(data, work, kind, f"upload:{principal.username}", catalog)
    except (ImageRejected, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"image rejected: {exc}") from None
    finally:
        images.close()
    if new:
        with db.writing() as session:
            audit.record(session, principal, "catalog.add", target=f"reference {ref}",
                         after={"work": work, "kind": kind, "catalog": catalog})  # fmt: skip
    return {"ref": ref, "new": new, "work": work, "kind": kind}


@router.get("/images/{ref}")
def get_image(
    ref: int,
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    config: Annotated[ApiSettings, Depends(settings)],
) -> dict[str, Any]:
    images = open_catalog(config)
    try:
        found = images.lookup(ref) if ref > 0 and images.exists() else None
    finally:
        images.close()
    if found is None:
        raise HTTPException(status_code=404, detail="no such reference")
    return {"ref": found.id, "catalog": found.catalog, "work": found.work, "kind": found.kind,
            "source": found.source, "thumbnail": _thumb_url(images, found.id)}  # fmt: skip


def _thumb_url(images: Any, ref: int) -> str | None:
    return f"/api/v1/catalog/images/{ref}/thumbnail" if images.has_thumbnail(ref) else None


@router.get("/images")
def list_images(
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    config: Annotated[ApiSettings, Depends(settings)],
    work: Annotated[str | None, Query(max_length=300)] = None,
    catalog: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[int, Query(ge=0, description="the last ref of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    images = open_catalog(config)
    try:
        rows = images.references(catalog=catalog, work=work, after=cursor, limit=limit + 1)
        items = [{**ref.to_json(), "thumbnail": _thumb_url(images, ref.id)}
                 for ref in rows[:limit]]  # fmt: skip
    finally:
        images.close()
    more = len(rows) > limit
    return {"items": items, "next_cursor": str(rows[limit - 1].id) if more else None}


@router.delete("/images/{ref}")
def remove_image(
    ref: int,
    principal: Annotated[Principal, Depends(require(r.CATALOG_WRITE))],
    db: Annotated[Database, Depends(database)],
    config: Annotated[ApiSettings, Depends(settings)],
) -> dict[str, Any]:
    images = open_catalog(config)
    try:
        found = images.lookup(ref) if ref > 0 and images.exists() else None
        removed = images.remove([ref]) if found is not None else []
    finally:
        images.close()
    if found is None or not removed:
        raise HTTPException(status_code=404, detail="no such reference")
    with db.writing() as session:
        audit.record(session, principal, "catalog.remove", target=f"reference {ref}",
                     before={"work": found.work, "kind": found.kind, "catalog": found.catalog,
                             "source": found.source})  # fmt: skip
    return {"ref": ref, "removed": True}


@router.get("/images/{ref}/thumbnail", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})  # fmt: skip
def image_thumbnail(
    ref: int,
    _: Annotated[Principal, Depends(require(r.SITES_READ))],
    config: Annotated[ApiSettings, Depends(settings)],
) -> Response:
    return reference_thumbnail(config, ref)


def reference_thumbnail(config: ApiSettings, ref: int) -> Response:
    """A catalog reference's thumbnail (the catalog's own re-encoded PNG), or a 404; the
    API's and the console's answer."""
    images = open_catalog(config)
    try:
        png = images.thumbnail(ref)
    finally:
        images.close()
    if png is None:
        raise HTTPException(status_code=404, detail="no thumbnail for this reference")
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})  # fmt: skip


# The protected works and channels the title detector matches: rows of the registry.
router.include_router(routes_works.router)
router.include_router(routes_channels.router)
