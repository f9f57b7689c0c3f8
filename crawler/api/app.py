"""The ASGI application: API under ``/api/v1``, console under ``/console``, health at the root.

Every response carries the security headers (a CSP that allows only our own scripts,
styles and images, no framing, no MIME sniffing, no referrer); nothing but ``/healthz``,
``/readyz``, ``/metrics``, the login page and static files answers without credentials.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from prometheus_client import CollectorRegistry, Counter, Histogram

from crawler.api import routes_admin, routes_catalog, routes_ops, routes_sites
from crawler.api.db import Database
from crawler.api.deps import ApiSettings, caller
from crawler.api.scope import Principal

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class ApiMetrics:
    """Request counts and latencies per route template (not per URL: bounded labels)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("isop_api_requests", "API and console requests",
                                ["method", "route", "status"], registry=self.registry)  # fmt: skip
        self.latency = Histogram("isop_api_request_seconds", "Request handling time",
                                 ["route"], registry=self.registry)  # fmt: skip


def create_app(db: Database, settings: ApiSettings | None = None) -> FastAPI:
    app = FastAPI(
        title="I-SOP registry API", version="1", openapi_url=None, docs_url=None,
        redoc_url=None,
    )  # fmt: skip
    app.state.db = db
    app.state.settings = settings or ApiSettings()
    app.state.metrics = ApiMetrics()
    app.include_router(routes_sites.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_ops.router)
    app.include_router(routes_catalog.router)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi(_: Annotated[Principal, Depends(caller)]) -> dict[str, Any]:
        return app.openapi()

    from crawler.console.web import mount

    mount(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/sites", status_code=303)

    @app.middleware("http")
    async def headers_and_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        app.state.metrics.requests.labels(request.method, template,
                                          str(response.status_code)).inc()  # fmt: skip
        app.state.metrics.latency.labels(template).observe(time.perf_counter() - started)
        return response

    return app
