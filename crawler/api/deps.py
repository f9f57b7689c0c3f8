"""FastAPI dependencies: the database, who is calling, and whether they may.

Two ways in: ``Authorization: Bearer isop_...`` (machine clients) or the console's session
cookie.  A cookie is sent by the browser on its own, so any state-changing request that
rides on one must also carry the session's CSRF token (form field or ``X-CSRF-Token``);
a bearer token is never sent implicitly and needs none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from crawler.api import accounts, security
from crawler.api.db import Database
from crawler.api.review import DEFAULT_THRESHOLD
from crawler.api.scope import Principal
from crawler.config import CONFIG_DIR

# Row ids in URLs: the databases hold 64-bit integers, so a larger id is a 422 answer, not a
# driver overflow (a 500) when the query runs.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
RowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]

SESSION_COOKIE = "isop_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ApiSettings:
    session_ttl: timedelta = timedelta(hours=8)
    secure_cookies: bool = True
    throttle: accounts.Throttle = field(default_factory=accounts.Throttle)
    review_threshold: float = DEFAULT_THRESHOLD
    redis_urls: tuple[str, ...] = ()
    redis_cluster: bool = False
    key_prefix: str = "isop"
    shards: int = 16
    data_dir: str = "./isop-data"
    detectors_config: str = str(CONFIG_DIR / "detectors.yaml")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings(request: Request) -> ApiSettings:
    value: ApiSettings = request.app.state.settings
    return value


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def reading(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    with db.reading() as session:
        yield session


def _authenticate(request: Request, db: Database) -> Principal | None:
    address = client_address(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        with db.reading() as session:
            owned = accounts.user_for_token(session, token.strip())
        if owned is None:
            return None
        owner, row = owned
        if accounts.token_use_is_stale(row):
            with db.writing() as session:
                accounts.touch_token(session, row.id)
        return accounts.principal_of(owner, "token", address)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with db.reading() as session:
            found = accounts.session_user(session, cookie)
            if found is None:
                return None
            user, web_session = found
            return accounts.principal_of(user, "console", address, web_session.csrf_token)
    return None


def check_csrf(request: Request, principal: Principal, form_token: str | None = None) -> None:
    """403 for a cookie-authenticated state change without the session's CSRF token."""
    if principal.via != "console" or request.method in SAFE_METHODS:
        return
    sent = form_token or request.headers.get("x-csrf-token")
    if not security.same(sent, principal.csrf_token):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def caller(request: Request, db: Annotated[Database, Depends(database)]) -> Principal:
    principal = _authenticate(request, db)
    if principal is None:
        raise HTTPException(status_code=401, detail="authentication required",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    check_csrf(request, principal)
    return principal


def require(permission: str) -> Callable[..., Principal]:
    """Dependency: the caller, if their role grants ``permission`` (else 403)."""

    def dependency(principal: Annotated[Principal, Depends(caller)]) -> Principal:
        if not principal.can(permission):
            raise HTTPException(status_code=403, detail=f"your role may not: {permission}")
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency
