"""What every console page needs: templates, who is signed in, CSRF checks, mounting.

Reads go through the same scoped queries as the API; every POST checks the session's CSRF
token before anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from crawler.api import accounts, security
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import SESSION_COOKIE, ApiSettings, client_address
from crawler.api.scope import Principal

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
    undefined=jinja2.StrictUndefined))  # fmt: skip


class Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def mount(app: FastAPI) -> None:
    from crawler.console import catalog, catalog_images, login, pages

    app.include_router(login.router)
    app.include_router(pages.router)
    app.include_router(catalog_images.router)  # before /console/catalog/{plural}
    app.include_router(catalog.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.login_failures = {}

    @app.exception_handler(Redirect)
    async def _redirect(request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)


def db_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> ApiSettings:
    value: ApiSettings = request.app.state.settings
    return value


def who(request: Request, permission: str | None = r.SITES_READ) -> Principal:
    """The signed-in user (else a redirect to the login page), if their role allows."""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = None
    if cookie:
        with db_of(request).reading() as session:
            found = accounts.session_user(session, cookie)
    if found is None:
        raise Redirect("/console/login?" + urlencode({"next": request.url.path}))
    user, web_session = found
    principal = accounts.principal_of(user, "console", client_address(request),
                                      web_session.csrf_token)  # fmt: skip
    if permission is not None and not principal.can(permission):
        raise HTTPException(status_code=403, detail=f"your role may not: {permission}")
    return principal


def check_csrf(principal: Principal, token: str) -> None:
    if not security.same(token, principal.csrf_token):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def page(request: Request, name: str, principal: Principal | None, **context: Any) -> HTMLResponse:
    base = {"me": principal, "can": (lambda p: principal is not None and principal.can(p)),
            "r": r, "csrf": principal.csrf_token if principal else ""}  # fmt: skip
    return templates.TemplateResponse(request, name, {**base, **context})


def safe_next(target: str | None) -> str:
    """Only our own console paths: an open redirect would help phishing."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/sites"
