"""Console catalog page of reference images: list with thumbnails, upload, remove.

An upload is hostile input like any other: the body is capped before it is read (declared
``Content-Length``) and while it arrives, the file must decode as a raster image we can
re-encode (never SVG or other markup, whatever its name or type claim), and the page shows
only the catalog's own re-encoded PNG thumbnails, served from our host.  The upload and the
removal are the API's own endpoint functions (:mod:`crawler.api.routes_catalog`), so they
hash, store and audit exactly as ``POST /api/v1/catalog/images`` does.
"""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as FormFile
from starlette.types import Message

from crawler.api import roles as r
from crawler.api import routes_catalog
from crawler.api.scope import Principal
from crawler.console.thumbs import ALLOWED_FORMATS, NotAnImage, reencode
from crawler.console.web import check_csrf, db_of, page, settings_of, who

router = APIRouter(prefix="/console/catalog/images", include_in_schema=False)

PAGE = 48
MAX_UPLOAD = routes_catalog.MAX_UPLOAD
FORM_SLACK = 64_000  # the form's other fields and multipart framing
ImageKind = Literal["poster", "still", "logo"]
IMAGE_KINDS: tuple[ImageKind, ...] = ("poster", "still", "logo")
FORMATS = ", ".join(ALLOWED_FORMATS)


def open_images(request: Request) -> Any:
    """The image catalog, as ``routes_catalog.open_catalog`` opens it (settings cached)."""
    return routes_catalog.open_catalog(settings_of(request))


def _images_page(request: Request, principal: Principal, work: str, cursor: str,
                 error: str | None = None, status: int = 200) -> HTMLResponse:  # fmt: skip
    after = int(cursor) if cursor.isdigit() and len(cursor) < 19 else 0
    images = open_images(request)
    try:  # as GET /api/v1/catalog/images lists them
        rows = images.references(work=work.strip() or None, after=after, limit=PAGE + 1)
        items = [{**ref.to_json(), "thumbnail": images.has_thumbnail(ref.id)}
                 for ref in rows[:PAGE]]  # fmt: skip
    finally:
        images.close()
    listed = {"items": items, "next_cursor": str(rows[PAGE - 1].id) if len(rows) > PAGE else None}
    done = {key: request.query_params.get(key, "") for key in ("added", "removed", "known")}
    response = page(request, "catalog_images.html", principal, rows=listed["items"],
                    next_cursor=listed["next_cursor"], work=work, error=error,
                    kinds=IMAGE_KINDS, max_mb=MAX_UPLOAD // 1_000_000,
                    done={k: v for k, v in done.items() if v.isdigit()})  # fmt: skip
    response.status_code = status
    return response


@router.get("", response_class=HTMLResponse)
def images(
    request: Request,
    work: Annotated[str, Query(max_length=300)] = "",
    cursor: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return _images_page(request, who(request, r.SITES_READ), work, cursor)


@router.post("", response_model=None)
async def upload(request: Request) -> HTMLResponse | RedirectResponse:
    """Add a reference image: analysts only (checked before the body is read), CSRF checked
    before the file is looked at."""
    principal = await run_in_threadpool(who, request, r.CATALOG_WRITE)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD + FORM_SLACK:
        too_big = f"Refused: the upload is larger than {MAX_UPLOAD // 1_000_000} MB."
        return await run_in_threadpool(_images_page, request, principal, "", "", too_big, 413)
    try:
        form = await _capped(request, MAX_UPLOAD + FORM_SLACK).form(max_files=1, max_fields=10)
    except TooLarge:  # a chunked body declares no length: counted while it arrives
        too_big = f"Refused: the upload is larger than {MAX_UPLOAD // 1_000_000} MB."
        return await run_in_threadpool(_images_page, request, principal, "", "", too_big, 413)
    try:
        fields = {key: value[:400] for key, value in form.items() if isinstance(value, str)}
        check_csrf(principal, fields.get("csrf", ""))
        image = form.get("image")
        data, name = b"", ""
        if isinstance(image, FormFile):  # what request.form() gives (FastAPI's subclasses it)
            data, name = await image.read(MAX_UPLOAD + 1), (image.filename or "")[:200]
    finally:
        await form.close()  # the spooled file, whatever happened
    return await run_in_threadpool(_add, request, principal, fields, data, name)


class TooLarge(Exception):
    """The request body went past the cap while it was being received."""


def _capped(request: Request, limit: int) -> Request:
    """``request`` whose body raises ``TooLarge`` past ``limit`` bytes (the form parser then
    closes the files it spooled)."""
    seen = 0

    async def receive() -> Message:
        nonlocal seen
        message = await request.receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise TooLarge
        return message

    return Request(request.scope, receive)


def _add(request: Request, principal: Principal, fields: dict[str, str], data: bytes,
         name: str) -> HTMLResponse | RedirectResponse:  # fmt: skip
    work, kind = fields.get("work", "").strip(), fields.get("kind", "poster")
    catalog = fields.get("catalog", "").strip() or None
    error = None
    if not data:
        error = "Refused: choose an image file to upload."
    elif len(data) > MAX_UPLOAD:
        error = f"Refused: {name or 'the file'} is larger than {MAX_UPLOAD // 1_000_000} MB."
    elif not work or len(work) > 300:
        error = "Refused: name the work the image shows (1 to 300 characters)."
    elif kind not in IMAGE_KINDS:
        error = f"Refused: the kind must be one of {', '.join(IMAGE_KINDS)}."
    elif catalog is not None and len(catalog) > 64:
        error = "Refused: a catalog name is at most 64 characters."
    else:
        try:
            reencode(data)  # what the page will show must be ours to re-encode
        except NotAnImage as exc:
            error = (f"Refused {name or 'the file'}: {exc}. Upload a raster image "
                     f"({FORMATS}); SVG and other markup are never accepted.")  # fmt: skip
    if error is not None:
        return _images_page(request, principal, "", "", error, 413 if "larger" in error else 422)
    upload_file = UploadFile(io.BytesIO(data), filename=name)
    try:
        added: dict[str, Any] = routes_catalog.add_image(
            principal, db_of(request), settings_of(request), upload_file, work,
            cast(ImageKind, kind), catalog,
        )  # fmt: skip
    except HTTPException as exc:
        if exc.status_code not in (413, 422):
            raise
        return _images_page(request, principal, "", "", f"Refused {name}: {exc.detail}.", 422)
    key = "added" if added["new"] else "known"
    return RedirectResponse(f"/console/catalog/images?{key}={added['ref']}", status_code=303)


def _reference(request: Request, principal: Principal, ref: int) -> dict[str, Any]:
    found: dict[str, Any] = routes_catalog.get_image(ref, principal, settings_of(request))
    return found


@router.get("/{ref}/remove", response_class=HTMLResponse)
def remove_form(request: Request, ref: int) -> HTMLResponse:
    principal = who(request, r.CATALOG_WRITE)
    found = _reference(request, principal, ref)
    return page(request, "catalog_remove.html", principal,
                label=f"reference image #{ref}: {found['work']} ({found['kind']}, "
                      f"catalog {found['catalog']})",
                back="/console/catalog/images", action=f"/console/catalog/images/{ref}/remove",
                revision=None, error=None, thumbnail=found["thumbnail"] and ref)  # fmt: skip


@router.post("/{ref}/remove")
def remove(request: Request, ref: int,
           csrf: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:  # fmt: skip
    principal = who(request, r.CATALOG_WRITE)
    check_csrf(principal, csrf)
    routes_catalog.remove_image(ref, principal, db_of(request), settings_of(request))
    return RedirectResponse(f"/console/catalog/images?removed={ref}", status_code=303)
