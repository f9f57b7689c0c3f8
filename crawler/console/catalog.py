"""Console catalog pages: the protected works and channels the title detector matches.

Anyone who reads sites lists them (as the API does); analysts add, edit and remove them.  The
role is checked here, server-side, not only by hiding the forms, and every change goes
through :mod:`crawler.api.works`, the functions behind the API, so it is audited with its
fields before and after and reaches running crawlers at their next version check.  An edit
and a removal carry the revision the analyst saw: a stale one is refused with the current
values shown, never silently overwriting a colleague's change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from crawler.api import catalog_rows, routes_channels, routes_works, works
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.scope import Principal
from crawler.console.web import check_csrf, db_of, page, settings_of, who
from crawler.registry.channels import ChannelIn
from crawler.registry.works import WorkConflict, WorkIn

router = APIRouter(prefix="/console/catalog", include_in_schema=False)

PAGE = 50
KINDS: dict[str, works.Kind] = {"works": "work", "channels": "channel"}
MODELS: dict[works.Kind, Any] = {"work": WorkIn, "channel": ChannelIn}
LISTS = {"work": routes_works.list_works, "channel": routes_channels.list_channels}
LINES = ("aliases", "original_titles")  # one spelling a line in the form
FIELD = 20_000  # generous form-field bound; the models hold the real limits


def _kind(plural: str) -> works.Kind:
    if plural not in KINDS:
        raise HTTPException(status_code=404, detail="no such catalog")
    return KINDS[plural]


def _seeded(request: Request) -> Database:
    """The registry, its works and channels seeded from the YAML files if they never were."""
    return catalog_rows.seeded(db_of(request), settings_of(request))


def _fields(kind: works.Kind, form: dict[str, str]) -> dict[str, Any]:
    """The model's fields from the form's strings (lists one a line; empty year is none)."""
    names = routes_works.WorkPatch.model_fields if kind == "work" else ChannelIn.model_fields
    fields: dict[str, Any] = {}
    for name in names:
        if name == "revision":
            continue
        raw = form.get(name, "")
        if name in LINES:
            fields[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif name == "ambiguous":
            fields[name] = raw == "on"
        elif name == "year":
            fields[name] = raw.strip() or None
        else:
            fields[name] = raw
    return fields


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "form"
    return f"{where}: {first['msg']}"


def _row(session: Any, kind: works.Kind, row_id: int) -> Any:
    row = works.STORES[kind].find(session, row_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"no such {kind}")
    return row


def _list_page(request: Request, principal: Principal, kind: works.Kind, q: str, cursor: str,
               error: str | None = None, draft: dict[str, Any] | None = None,
               status: int = 200) -> HTMLResponse:  # fmt: skip
    db = _seeded(request)
    after = int(cursor) if cursor.isdigit() and len(cursor) < 19 else 0
    listed = LISTS[kind](principal, db, q.strip() or None, after, PAGE)
    done = {key: request.query_params.get(key, "") for key in ("added", "saved", "removed")}
    response = page(request, "catalog_list.html", principal, kind=kind, plural=f"{kind}s",
                    rows=listed["items"], version=listed["version"], q=q,
                    next_cursor=listed["next_cursor"], error=error, draft=draft or {},
                    done={k: v for k, v in done.items() if v.isdigit()})  # fmt: skip
    response.status_code = status
    return response


@router.get("", response_class=RedirectResponse)
def catalog_home() -> RedirectResponse:
    return RedirectResponse("/console/catalog/works", status_code=303)


@router.get("/{plural}", response_class=HTMLResponse)
def catalog_list(
    request: Request,
    plural: str,
    q: Annotated[str, Query(max_length=300)] = "",
    cursor: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    kind = _kind(plural)
    return _list_page(request, who(request, r.SITES_READ), kind, q, cursor)


def _writer(request: Request, csrf: str) -> Principal:
    """The signed-in analyst (403 for any role that may not write the catalog), CSRF checked."""
    principal = who(request, r.CATALOG_WRITE)
    check_csrf(principal, csrf)
    return principal


@router.post("/{plural}", response_model=None)
async def catalog_add(request: Request, plural: str) -> HTMLResponse | RedirectResponse:
    kind = _kind(plural)
    principal = await run_in_threadpool(who, request, r.CATALOG_WRITE)  # before the body
    form = await _form(request)
    check_csrf(principal, form.get("csrf", ""))
    return await run_in_threadpool(_add, request, principal, kind, form)


def _add(
    request: Request, principal: Principal, kind: works.Kind, form: dict[str, str]
) -> HTMLResponse | RedirectResponse:
    fields = _fields(kind, form)
    db = _seeded(request)
    try:
        item = MODELS[kind].model_validate(fields)
        with db.writing() as session:
            row = works.add(session, principal, item, kind)
            row_id = row.id
    except ValidationError as exc:
        return _list_page(request, principal, kind, "", "", _invalid(exc), fields, 422)
    except WorkConflict as exc:
        return _list_page(request, principal, kind, "", "", str(exc), fields, 409)
    return RedirectResponse(f"/console/catalog/{kind}s?added={row_id}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields (files are the images page's)."""
    parsed = await request.form(max_files=0, max_fields=20)
    return {key: value[:FIELD] for key, value in parsed.items() if isinstance(value, str)}


def _edit_page(request: Request, principal: Principal, kind: works.Kind, row: dict[str, Any],
               error: str | None = None, mine: dict[str, Any] | None = None,
               status: int = 200) -> HTMLResponse:  # fmt: skip
    response = page(request, "catalog_edit.html", principal, kind=kind, plural=f"{kind}s",
                    row=row, error=error, mine=mine)  # fmt: skip
    response.status_code = status
    return response


@router.get("/{plural}/{row_id}", response_class=HTMLResponse)
def catalog_item(request: Request, plural: str, row_id: int) -> HTMLResponse:
    """The edit form for analysts; the fields, read-only, for everyone else who reads."""
    kind = _kind(plural)
    principal = who(request, r.SITES_READ)
    with _seeded(request).reading() as session:
        row = works.STORES[kind].to_json(_row(session, kind, row_id))
    return _edit_page(request, principal, kind, row)


def _revision(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@router.post("/{plural}/{row_id}", response_model=None)
async def catalog_edit(
    request: Request, plural: str, row_id: int
) -> HTMLResponse | RedirectResponse:
    kind = _kind(plural)
    principal = await run_in_threadpool(who, request, r.CATALOG_WRITE)  # before the body
    form = await _form(request)
    check_csrf(principal, form.get("csrf", ""))
    return await run_in_threadpool(_edit, request, principal, kind, row_id, form)


def _edit(
    request: Request, principal: Principal, kind: works.Kind, row_id: int, form: dict[str, str]
) -> HTMLResponse | RedirectResponse:
    fields, revision = _fields(kind, form), _revision(form.get("revision", ""))
    if revision is None:
        raise HTTPException(status_code=422, detail="the form carries no revision")
    db = _seeded(request)
    error, status = None, 200
    try:
        with db.writing() as session:
            row = _row(session, kind, row_id)
            catalog_rows.patch(session, principal, row, fields, revision, kind)
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        error, status = str(exc.detail), 422
    except WorkConflict as exc:
        error, status = str(exc), 409
    if error is None:
        return RedirectResponse(f"/console/catalog/{kind}s?saved={row_id}", status_code=303)
    with db.reading() as session:
        current = works.STORES[kind].to_json(_row(session, kind, row_id))
    if current["revision"] != revision:  # someone saved first: show theirs, keep ours aside
        error = (f"Not saved: {current['updated_by']} changed this {kind} at "
                 f"{current['updated_at'][:19]} (now revision {current['revision']}, you "
                 f"started from {revision}). The form shows the current values; your edit is "
                 "below, apply it again if it still holds.")  # fmt: skip
        return _edit_page(request, principal, kind, current, error, fields, 409)
    return _edit_page(request, principal, kind, {**current, **fields}, error, None, status)


@router.get("/{plural}/{row_id}/remove", response_class=HTMLResponse)
def catalog_remove_form(request: Request, plural: str, row_id: int) -> HTMLResponse:
    kind = _kind(plural)
    principal = who(request, r.CATALOG_WRITE)
    with _seeded(request).reading() as session:
        row = works.STORES[kind].to_json(_row(session, kind, row_id))
    return _remove_page(request, principal, kind, row, None)


def _remove_page(request: Request, principal: Principal, kind: works.Kind, row: dict[str, Any],
                 error: str | None) -> HTMLResponse:  # fmt: skip
    response = page(request, "catalog_remove.html", principal,
                    label=works.describe(kind, row["id"], row), back=f"/console/catalog/{kind}s",
                    action=f"/console/catalog/{kind}s/{row['id']}/remove",
                    revision=row["revision"], error=error)  # fmt: skip
    response.status_code = 409 if error else 200
    return response


@router.post("/{plural}/{row_id}/remove", response_model=None)
def catalog_remove(
    request: Request,
    plural: str,
    row_id: int,
    csrf: Annotated[str, Form(max_length=200)] = "",
    revision: Annotated[str, Form(max_length=12)] = "",
) -> HTMLResponse | RedirectResponse:
    kind = _kind(plural)
    principal = _writer(request, csrf)
    db = _seeded(request)
    try:
        with db.writing() as session:
            row = _row(session, kind, row_id)
            catalog_rows.stale(row, _revision(revision), kind)
            works.remove(session, principal, row, kind)
    except WorkConflict:
        with db.reading() as session:
            current = works.STORES[kind].to_json(_row(session, kind, row_id))
        return _remove_page(request, principal, kind, current,
                            f"Not removed: {current['updated_by']} changed this {kind} since "
                            "you opened this page. Check it, then confirm again.")  # fmt: skip
    return RedirectResponse(f"/console/catalog/{plural}?removed={row_id}", status_code=303)
