"""``/api/v1/catalog``: analysts add reference images of protected works, and look them up.

The catalog (``detectors.catalog``) lives in its own SQLite file beside the registry; one is
opened per request (its connection is bound to the thread that made it).  The store has no
listing or removal yet, so neither has the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile

from crawler.api import audit
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import ApiSettings, database, require, settings
from crawler.api.scope import Principal

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
MAX_UPLOAD = 20_000_000
DETECTOR = "image_phash"


def _open(config: ApiSettings) -> Any:
    try:
        from detectors.catalog.service import ImageCatalog
        from detectors.catalog.settings import parse_settings
        from detectors.config import load_config
    except ImportError:
        raise HTTPException(status_code=501, detail="the image catalog is not installed") from None
    try:
        catalog_settings = parse_settings(
            load_config(Path(config.detectors_config)).settings_for(DETECTOR)
        )
    except Exception as exc:  # a broken detector config: say which, don't 500 without a word
        raise HTTPException(status_code=503, detail=f"catalog settings: {exc}") from None
    directory = (Path(catalog_settings.catalog_dir) if catalog_settings.catalog_dir
                 else Path(config.data_dir) / "catalog")  # fmt: skip
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
    images = _open(config)
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
    images = _open(config)
    try:
        found = images.lookup(ref) if ref > 0 and images.exists() else None
    finally:
        images.close()
    if found is None:
        raise HTTPException(status_code=404, detail="no such reference")
    return {"ref": found.id, "catalog": found.catalog, "work": found.work, "kind": found.kind,
            "source": found.source}  # fmt: skip
