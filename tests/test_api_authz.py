"""The authorisation matrix: every endpoint x every role x in-scope / out-of-scope site.

Expected answers are derived from the role table (crawler.api.roles) and the scope rule,
independently of the code under test: 401 without credentials, 403 when the role lacks the
permission, 404 for a site (or an alert of a site) outside the caller's countries, exactly
as for a site that does not exist, else success.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from test_api_support import World, world_fixture

from crawler.api import roles as r

SCOPES = {"viewer_de": {"DE"}, "analyst_fr": {"FR"}, "coordinator_fr": {"FR"}}
ROLE_OF = {"viewer": "viewer", "analyst": "analyst", "coordinator": "coordinator",
           "admin": "admin", "ops": "ops", "viewer_de": "viewer", "analyst_fr": "analyst",
           "coordinator_fr": "coordinator"}  # fmt: skip
SITE_TAGS = {"fr": {"FR"}, "de": {"DE"}, "shared": {"ALL"}, "untagged": set()}
_counter = itertools.count()
world = world_fixture()


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {site}, {alert}, {token}, {user} are filled in
    permission: str | None  # None: any authenticated caller
    body: Any = None
    ok: int = 200
    scoped: bool = False  # the path names a site (or an alert of the DE site)


ENDPOINTS = [
    Endpoint("GET", "/api/v1/sites", r.SITES_READ),
    Endpoint("GET", "/api/v1/sites/{site}", r.SITES_READ, scoped=True),
    Endpoint("GET", "/api/v1/sites/{site}/captures", r.SITES_READ, scoped=True),
    Endpoint(
        "POST", "/api/v1/sites/{site}/review", r.SITES_REVIEW, {"verdict": "confirmed"}, scoped=True
    ),
    Endpoint(
        "POST", "/api/v1/sites/{site}/status", r.SITES_STATUS, {"status": "monitored"}, scoped=True
    ),
    Endpoint(
        "POST", "/api/v1/sites/{site}/notes", r.SITES_NOTE, {"text": "seen"}, 201, scoped=True
    ),
    Endpoint("GET", "/api/v1/review/queue", r.SITES_REVIEW),
    Endpoint("GET", "/api/v1/review/labels", r.EVAL_READ),
    Endpoint("GET", "/api/v1/alerts", r.ALERTS_READ),
    Endpoint("POST", "/api/v1/alerts/{alert}/ack", r.ALERTS_ACK, scoped=True),
    Endpoint("GET", "/api/v1/exports/sites.csv", r.EXPORTS),
    Endpoint("GET", "/api/v1/exports/sites.jsonl", r.EXPORTS),
    Endpoint("GET", "/api/v1/exports/sites.stix", r.EXPORTS),
    Endpoint("GET", "/api/v1/fleet", r.FLEET_READ),
    Endpoint("GET", "/api/v1/evaluation", r.EVAL_READ),
    Endpoint("GET", "/api/v1/me", None),
    Endpoint("GET", "/api/v1/openapi.json", None),
    Endpoint("GET", "/api/v1/users", r.ACCOUNTS),
    Endpoint(
        "POST",
        "/api/v1/users",
        r.ACCOUNTS,
        {"username": "{user}", "role": "viewer", "password": "long enough pw"},
        201,
    ),
    Endpoint("POST", "/api/v1/tokens", r.ACCOUNTS, {"username": "viewer", "name": "x"}, 201),
    Endpoint("DELETE", "/api/v1/tokens/{token}", r.ACCOUNTS),
    Endpoint("GET", "/api/v1/audit", r.AUDIT_READ),
    Endpoint("GET", "/api/v1/catalog/images", r.SITES_READ),
    Endpoint("GET", "/api/v1/catalog/works", r.SITES_READ),
    Endpoint("GET", "/api/v1/catalog/works/{work}", r.SITES_READ),
    Endpoint("POST", "/api/v1/catalog/works", r.CATALOG_WRITE, {"title": "Matrix {user}"}, 201),
    Endpoint("PATCH", "/api/v1/catalog/works/{work}", r.CATALOG_WRITE, {"owner": "matrix"}),
    Endpoint("DELETE", "/api/v1/catalog/works/{work}", r.CATALOG_WRITE),
    Endpoint("GET", "/api/v1/catalog/channels", r.SITES_READ),
    Endpoint("GET", "/api/v1/catalog/channels/{channel}", r.SITES_READ),
    Endpoint("POST", "/api/v1/catalog/channels", r.CATALOG_WRITE, {"name": "Matrix {user}"}, 201),
    Endpoint("PATCH", "/api/v1/catalog/channels/{channel}", r.CATALOG_WRITE, {"owner": "matrix"}),
    Endpoint("DELETE", "/api/v1/catalog/channels/{channel}", r.CATALOG_WRITE),
]


def _expected(endpoint: Endpoint, who: str | None, site: str | None) -> int:
    if who is None:
        return 401
    if endpoint.permission is not None and not r.allows(ROLE_OF[who], endpoint.permission):
        return 403
    if endpoint.scoped and who in SCOPES:
        tags = SITE_TAGS["de" if "{alert}" in endpoint.path else str(site)]
        if not tags & (SCOPES[who] | {"ALL"}):
            return 404
    return endpoint.ok


def _call(world: World, endpoint: Endpoint, who: str | None, site: str | None) -> int:
    n = next(_counter)
    throwaway = None
    if "{token}" in endpoint.path:  # a fresh token to revoke, so no caller loses theirs
        from test_api_support import ROOT

        from crawler.api import accounts

        with world.db.writing() as session:
            throwaway, _ = accounts.create_token(session, ROOT, "ops", "throwaway")
    work = channel = None
    if "{work}" in endpoint.path or "{channel}" in endpoint.path:  # a fresh one to read or edit
        from test_api_support import ROOT

        from crawler.api import works
        from crawler.registry.channels import ChannelIn
        from crawler.registry.works import WorkIn

        with world.db.writing() as session:
            work = works.add(session, ROOT, WorkIn(title=f"Matrix work {n}")).id
            channel = works.add(session, ROOT, ChannelIn(name=f"Matrix {n}"), "channel").id
    path = endpoint.path.format(site=world.sites.get(site or "", 0), alert=world.alert_id,
                                token=throwaway, user=f"u{n}", work=work,
                                channel=channel)  # fmt: skip
    body = endpoint.body
    if isinstance(body, dict):
        body = {k: v.format(user=f"user{n}") if isinstance(v, str) else v
                for k, v in body.items()}  # fmt: skip
    response = world.client(who).request(endpoint.method, path, json=body)
    return response.status_code


CASES = [
    pytest.param(endpoint, who, site, id=f"{endpoint.method} {endpoint.path} {who} {site}")
    for endpoint in ENDPOINTS
    for who in [None, *ROLE_OF]
    for site in (["fr", "de", "shared", "untagged"] if "{site}" in endpoint.path else [None])
]


@pytest.mark.parametrize(("endpoint", "who", "site"), CASES)
def test_matrix(world: World, endpoint: Endpoint, who: str | None, site: str | None) -> None:
    if "{alert}" in endpoint.path and world.alert_id is None:
        pytest.fail("the alerts outbox is installed in this tree: the world must hold an alert")
    assert _call(world, endpoint, who, site) == _expected(endpoint, who, site)


def test_matrix_covers_every_api_route(world: World) -> None:
    """A new endpoint must be added to the matrix (or it is untested for authorisation)."""
    routes = {(m, route.path) for route in world.app.routes  # type: ignore[attr-defined]
              for m in getattr(route, "methods", set()) or set()
              if route.path.startswith("/api/v1/")}  # fmt: skip
    covered = {(e.method, e.path.replace("{site}", "{site_id}").replace("{alert}", "{alert_id}")
                .replace("{token}", "{token_id}").replace("{work}", "{work_id}")
                .replace("{channel}", "{channel_id}"))
               for e in ENDPOINTS}  # fmt: skip
    covered |= {
        ("GET", "/api/v1/captures/{capture_id}/warc"),  # authz in test_api_captures.py
        ("GET", "/api/v1/image-evidence/{image_id}/{which}"),  # test_image_evidence_api.py
        ("POST", "/api/v1/catalog/images"),  # multipart: authz in test_api_catalog.py
        ("GET", "/api/v1/catalog/images/{ref}"),
        ("DELETE", "/api/v1/catalog/images/{ref}"),  # authz in test_api_catalog_manage.py
        ("GET", "/api/v1/catalog/images/{ref}/thumbnail"),
        ("POST", "/api/v1/users/{username}/disable"),
        ("PUT", "/api/v1/sites/{site_id}/tags"),
        ("GET", "/api/v1/exports/sites.{fmt}"),
    }
    missing = {route for route in routes if route not in covered and route[0] != "HEAD"}
    assert missing == set()


@pytest.mark.parametrize("who", list(ROLE_OF))
def test_tags_only_by_unscoped_status_roles(world: World, who: str) -> None:
    response = world.client(who).put(f"/api/v1/sites/{world.sites['untagged']}/tags",
                                     json={"tags": []})  # fmt: skip
    if not r.allows(ROLE_OF[who], r.SITES_STATUS):
        assert response.status_code == 403
    elif who in SCOPES:
        assert response.status_code in (403, 404)  # no scoped user may retag anything
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("who", list(ROLE_OF))
def test_disable_user_only_by_admins(world: World, who: str) -> None:
    from test_api_support import ROOT

    from crawler.api import accounts

    name = f"victim{next(_counter)}"
    with world.db.writing() as session:
        accounts.add_user(session, ROOT, name, "viewer", [], None)
    response = world.client(who).post(f"/api/v1/users/{name}/disable")
    assert response.status_code == (200 if ROLE_OF[who] == "admin" else 403)


def test_role_table_is_the_issue_s() -> None:
    """The matrix derives its expectations from the role table; this pins the table itself
    to the issue: viewer reads; analyst reviews, notes, catalog; coordinator alerts, exports,
    status; admin accounts, tokens and the audit log; ops the fleet."""
    assert {
        "viewer": {r.SITES_READ, r.ALERTS_READ, r.EVAL_READ},
        "analyst": {r.SITES_READ, r.ALERTS_READ, r.EVAL_READ, r.SITES_REVIEW, r.SITES_NOTE,
                    r.CATALOG_WRITE},
        "coordinator": {r.SITES_READ, r.ALERTS_READ, r.EVAL_READ, r.SITES_REVIEW, r.SITES_NOTE,
                        r.SITES_STATUS, r.ALERTS_ACK, r.EXPORTS},
        "admin": {r.SITES_READ, r.ALERTS_READ, r.EVAL_READ, r.ACCOUNTS, r.AUDIT_READ,
                  r.FLEET_READ},
        "ops": {r.FLEET_READ, r.EVAL_READ},
    } == r.PERMISSIONS  # fmt: skip
