"""Signing in and out of the console: argon2-checked passwords, throttled per account
(locked after repeated failures) and per client address; the session cookie is HTTP-only,
SameSite=Strict and Secure unless configured off for plain-HTTP development."""

from __future__ import annotations

import time
from collections import deque

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crawler.api import accounts, security
from crawler.api.deps import SESSION_COOKIE, client_address
from crawler.console.web import check_csrf, db_of, page, safe_next, settings_of, who

router = APIRouter(prefix="/console", include_in_schema=False)

# Failed logins per client address within the window; beyond the limit the address waits.
ADDRESS_FAILURES = 20
ADDRESS_WINDOW_S = 300.0


LOGIN_COOKIE = "isop_login"


def _login_page(request: Request, next: str, error: str | None, status: int = 200) -> Response:
    """The form with a fresh login CSRF token, also set as a cookie (double submit): a
    forged cross-site POST cannot read the cookie, so it cannot sign a victim in as the
    attacker."""
    token = security.new_csrf_token()
    response = page(request, "login.html", None, next=safe_next(next), error=error,
                    login_csrf=token)  # fmt: skip
    response.status_code = status
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=settings_of(request).secure_cookies,
                        path="/console/login")  # fmt: skip
    return response


@router.get("/login", response_model=None)
def login_form(request: Request, next: str = "/console/sites") -> Response:
    return _login_page(request, next, None)


def _address_blocked(request: Request) -> bool:
    failures: dict[str, deque[float]] = request.app.state.login_failures
    times = failures.setdefault(client_address(request) or "?", deque())
    while times and times[0] < time.monotonic() - ADDRESS_WINDOW_S:
        times.popleft()
    return len(times) >= ADDRESS_FAILURES


@router.post("/login", response_model=None)
def login(request: Request, username: str = Form(max_length=64),
          password: str = Form(max_length=1024), login_csrf: str = Form("", max_length=100),
          next: str = Form("/console/sites")) -> Response:  # fmt: skip
    if not security.same(login_csrf, request.cookies.get(LOGIN_COOKIE)):
        return _login_page(request, next, "The form expired; please sign in again.", 403)
    if _address_blocked(request):
        return _login_page(request, next, "Too many failed logins from your address; try later.",
                           429)  # fmt: skip
    settings = settings_of(request)
    try:
        with db_of(request).writing() as session:
            made = accounts.login(session, username, password, client_address(request),
                                  settings.session_ttl, settings.throttle)  # fmt: skip
    except accounts.LockedOut:
        made = None
        error = "This account is locked after too many failed logins; try later."
    else:
        error = "Wrong username or password."
    if made is None:
        request.app.state.login_failures[client_address(request) or "?"].append(time.monotonic())
        return _login_page(request, next, error, 401 if "locked" not in error else 429)
    cookie, _ = made
    redirect = RedirectResponse(safe_next(next), status_code=303)
    redirect.set_cookie(SESSION_COOKIE, cookie, max_age=int(settings.session_ttl.total_seconds()),
                        httponly=True, secure=settings.secure_cookies, samesite="strict",
                        path="/")  # fmt: skip
    return redirect


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> RedirectResponse:
    principal = who(request, None)
    check_csrf(principal, csrf)
    with db_of(request).writing() as session:
        accounts.logout(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
