"""Credentials: tokens (revocation, disabled users), sessions and CSRF, login throttling,
the audit trail (written, append-only), security headers, what answers without auth."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from test_api_support import PASSWORD, ROOT, World, sign_in, world_fixture

from crawler.api import accounts, security
from crawler.api.models import ApiToken, AuditEntry

world = world_fixture()


def test_open_endpoints_answer_without_auth(world: World) -> None:
    anonymous = world.client()
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").json() == {"status": "ready"}
    metrics = anonymous.get("/metrics")
    assert metrics.status_code == 200 and "isop_api_requests_total" in metrics.text
    assert anonymous.get("/api/v1/openapi.json").status_code == 401
    assert anonymous.get("/console/sites", follow_redirects=False).status_code == 303


def test_openapi_document_lists_the_api(world: World) -> None:
    doc = world.client("viewer").get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/sites" in doc["paths"] and "/api/v1/sites/{site_id}/review" in doc["paths"]


def test_tokens_are_stored_hashed_and_revocation_is_immediate(world: World) -> None:
    with world.db.writing() as session:
        token_id, token = accounts.create_token(session, ROOT, "viewer", "revoke-me")
    with world.db.reading() as session:
        stored = session.get(ApiToken, token_id)
        assert stored is not None and stored.token_sha256 == security.digest(token)
        assert token not in str([stored.token_sha256, stored.name])
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client().get("/api/v1/sites", headers=headers).status_code == 200
    with world.db.reading() as session:
        used = session.get(ApiToken, token_id)
        assert used is not None and used.last_used_at is not None  # recorded, once a minute
    revoked = world.client("admin").delete(f"/api/v1/tokens/{token_id}")
    assert revoked.status_code == 200
    assert world.client().get("/api/v1/sites", headers=headers).status_code == 401


@pytest.mark.parametrize("header", ["Bearer isop_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_credentials_are_401(world: World, header: str) -> None:
    response = world.client().get("/api/v1/sites", headers={"Authorization": header})
    assert response.status_code == 401


def test_disabled_user_loses_tokens_and_sessions(world: World) -> None:
    with world.db.writing() as session:
        accounts.add_user(session, ROOT, "leaver", "viewer", [], PASSWORD)
        _, token = accounts.create_token(session, ROOT, "leaver", "t")
    browser, _ = world.login("leaver")
    assert browser.get("/console/sites").status_code == 200
    assert world.client("admin").post("/api/v1/users/leaver/disable").status_code == 200
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client().get("/api/v1/sites", headers=bearer).status_code == 401
    assert browser.get("/console/sites", follow_redirects=False).status_code == 303  # to login


def test_cookie_requests_need_the_csrf_token(world: World) -> None:
    browser, csrf = world.login("analyst")
    site = world.sites["fr"]
    # API called with the console cookie: state changes need X-CSRF-Token.
    assert browser.post(f"/api/v1/sites/{site}/notes", json={"text": "x"}).status_code == 403
    ok = browser.post(f"/api/v1/sites/{site}/notes", json={"text": "x"},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert ok.status_code == 201
    # Console forms: missing or wrong token -> 403, nothing written.
    before = _count(world, "site.note")
    for data in ({"text": "forged"}, {"text": "forged", "csrf": "wrong"}):
        response = browser.post(f"/console/sites/{site}/notes", data=data,
                                follow_redirects=False)  # fmt: skip
        assert response.status_code == 403
    assert _count(world, "site.note") == before
    good = browser.post(f"/console/sites/{site}/notes", data={"text": "fine", "csrf": csrf},
                        follow_redirects=False)  # fmt: skip
    assert good.status_code == 303 and _count(world, "site.note") == before + 1
    # Another user's CSRF token does not work with this session.
    _, other_csrf = world.login("coordinator")
    stolen = browser.post(f"/console/sites/{site}/review",
                          data={"verdict": "confirmed", "csrf": other_csrf},
                          follow_redirects=False)  # fmt: skip
    assert stolen.status_code == 403


def _count(world: World, action: str) -> int:
    with world.db.reading() as session:
        return len(list(session.scalars(select(AuditEntry).where(AuditEntry.action == action))))


def test_session_cookie_flags(world: World) -> None:
    response = sign_in(world.client(), "viewer", PASSWORD)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_login_is_throttled_per_account(world: World) -> None:
    with world.db.writing() as session:
        accounts.add_user(session, ROOT, "target", "viewer", [], PASSWORD)
    client = world.client()
    for _ in range(3):  # the world's throttle: 3 failures lock the account
        wrong = sign_in(client, "target", "nope")
        assert wrong.status_code == 401
    right = sign_in(client, "target", PASSWORD)
    assert right.status_code == 429  # locked even for the right password
    assert "isop_session" not in client.cookies
    assert _count(world, "login.failed") >= 3


def test_every_change_is_audited_with_before_and_after(world: World) -> None:
    site = world.sites["shared"]
    world.client("coordinator").post(f"/api/v1/sites/{site}/status", json={"status": "monitored"})
    entries = world.client("admin").get("/api/v1/audit", params={"site_id": site}).json()["items"]
    change = next(e for e in entries if e["action"] == "site.status")
    assert change["actor"] == "coordinator" and change["via"] == "token"
    assert change["after"]["status"] == "monitored" and change["before"]["status"] != "monitored"
    assert change["address"] == "testclient"
    world.client("coordinator").get("/api/v1/exports/sites.csv")
    exports = world.client("admin").get("/api/v1/audit", params={"action": "export.sites"})
    assert any(e["actor"] == "coordinator" for e in exports.json()["items"])


def test_audit_log_is_append_only_in_the_database(world: World) -> None:
    for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), world.db.writing() as session:
            session.execute(text(statement))
    with world.db.reading() as session:
        assert session.scalar(select(AuditEntry.id).limit(1)) is not None


def test_security_headers_on_every_answer(world: World) -> None:
    for path in ("/healthz", "/console/login", "/api/v1/sites"):
        headers = world.client("viewer").get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_login_redirect_stays_on_the_console(world: World) -> None:
    response = sign_in(world.client(), "viewer", PASSWORD, next="https://evil.example/")
    assert response.headers["location"] == "/console/sites"


def test_login_form_needs_its_csrf_cookie(world: World) -> None:
    """A cross-site POST (no cookie, or another form's token) signs nobody in."""
    client = world.client()
    bare = client.post("/console/login", data={"username": "viewer", "password": PASSWORD},
                       follow_redirects=False)  # fmt: skip
    assert bare.status_code == 403 and "isop_session" not in client.cookies
    client.get("/console/login")  # a cookie, but the attacker's page cannot read it
    forged = client.post(
        "/console/login",
        data={"username": "viewer", "password": PASSWORD, "login_csrf": "x"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "isop_session" not in client.cookies


def test_a_scoped_admin_stays_inside_its_countries(world: World) -> None:
    with world.db.writing() as session:
        accounts.add_user(session, ROOT, "admin_fr", "admin", ["FR"], None)
        _, token = accounts.create_token(session, ROOT, "admin_fr", "t")
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    new = {"role": "viewer", "password": "long enough pw"}
    assert (
        client.post("/api/v1/users", json={**new, "username": "fr2", "scopes": ["FR"]}).status_code
        == 201
    )
    for scopes in ([], ["DE"], ["FR", "DE"]):  # unscoped or foreign: an escape
        response = client.post("/api/v1/users", json={**new, "username": "x", "scopes": scopes})
        assert response.status_code == 403, scopes
    assert client.post("/api/v1/tokens", json={"username": "viewer"}).status_code == 403
    assert client.post("/api/v1/tokens", json={"username": "fr2"}).status_code == 201
    assert client.post("/api/v1/users/viewer_de/disable").status_code == 403
    assert client.delete(f"/api/v1/tokens/{world.token_ids['viewer']}").status_code == 403
    listed = {u["username"] for u in client.get("/api/v1/users").json()["items"]}
    assert listed == {"admin_fr", "analyst_fr", "coordinator_fr", "fr2"}
    entries = client.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    sites = {e["site_id"] for e in entries}
    assert None not in sites and world.sites["de"] not in sites and world.sites["fr"] in sites


def test_fleet_reads_the_frontier_from_redis(world: World) -> None:
    """Depth per shard and live workers, from the real Redis of the test session."""
    import json
    import time

    from crawler.frontier.store import Entry, Frontier, FrontierSettings
    from crawler.keys import Keys
    from crawler.redis_server import client_for

    settings = world.app.state.settings  # type: ignore[attr-defined]
    frontier = Frontier.connect(list(settings.redis_urls), settings.key_prefix,
                                FrontierSettings(shards=settings.shards))  # fmt: skip
    client = client_for(settings.redis_urls[0])
    try:
        request = json.dumps({"url": "http://queued.example/"})
        frontier.push([Entry("queued.example", 0, request)])
        heartbeat = {"state": "running", "pages": 3, "updated_at": time.time()}
        client.hset(Keys(settings.key_prefix).worker("w1"), mapping=heartbeat)
    finally:
        frontier.close()
        client.close()
    fleet = world.client("ops").get("/api/v1/fleet").json()
    assert len(fleet["shards"]) == settings.shards
    assert fleet["queued"] == 1 and fleet["live_workers"] == 1
    assert fleet["workers"][0]["id"] == "w1" and fleet["workers"][0]["pages"] == 3
