"""Shared world of the API and console tests: a real SQLite registry filled through the
registry's own store, accounts of every role, tokens, country tags and an alert.

Imported by tests/test_api_*.py and tests/test_console_*.py; each module builds its own
world (module scope) so that their state changes don't leak into each other.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crawler.api import accounts, actions, security
from crawler.api.app import create_app
from crawler.api.db import Database
from crawler.api.deps import ApiSettings
from crawler.api.roles import ROLES
from crawler.api.scope import Principal
from crawler.registry import Registry
from crawler.registry.models import Domain, Site

PASSWORD = "correct horse battery staple"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ROOT = Principal(None, "test-root", "admin", (), "cli")
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    db: Database
    app: object
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    alert_id: int | None = None
    captures: dict[str, int] = field(default_factory=dict)
    evidence_dir: Path | None = None

    def client(self, who: str | None = None) -> TestClient:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return TestClient(self.app, headers=headers)  # type: ignore[arg-type]

    def login(self, username: str) -> tuple[TestClient, str]:
        """A browser-like client signed in to the console, and its CSRF token."""
        client = TestClient(self.app)  # type: ignore[arg-type]
        page = sign_in(client, username, PASSWORD)
        assert page.status_code == 303, page.text
        with self.db.reading() as session:
            found = accounts.session_user(session, client.cookies["isop_session"])
        assert found is not None
        return client, found[1].csrf_token


def sign_in(client: TestClient, username: str, password: str, **extra: str) -> Any:
    """GET the login form (its CSRF cookie and field), then POST it, as a browser does."""
    form = client.get("/console/login").text
    token = re.search(r'name="login_csrf" value="([^"]+)"', form)
    assert token is not None, form[:500]
    data = {"username": username, "password": password, "login_csrf": token.group(1), **extra}
    return client.post("/console/login", data=data, follow_redirects=False)


@functools.cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


def _flag(
    registry: Registry,
    domain: str,
    score: float,
    kind: str,
    *,
    url: str | None = None,
    explanation: str = "flagged",
    aliases: tuple[tuple[str, str], ...] = (),
    signals: list[dict[str, Any]] | None = None,
) -> int:
    view = registry.record_page_verdict(
        domain,
        url or f"http://{domain}/",
        score,
        True,
        kind,
        explanation,
        signals or [],
        (domain.encode().hex() * 64)[:64],
        T0,
        aliases=aliases,
    )
    assert view is not None
    return view.id


def build_world(tmp: Path, redis_urls: tuple[str, ...] = (), url: str | None = None) -> World:
    url = url or f"sqlite:///{tmp / 'registry.db'}"
    with Registry.open(url) as registry:
        sites = {
            "fr": _flag(registry, "streamfr.example", 0.92, "streaming"),
            "de": _flag(registry, "kinode.example", 0.55, "index",
                        aliases=(("kinode-old.example", "redirect"),)),
            "shared": _flag(registry, "iptvall.example", 0.61, "iptv"),
            "untagged": _flag(registry, "nobody.example", 0.8, "index"),
            "hostile": _flag(registry, "hostile.example", 0.51, "streaming",
                             url=f"http://hostile.example/{HOSTILE}", explanation=HOSTILE,
                             signals=[{"detector": "title", "name": "work", "score": 0.8,
                                       "evidence": HOSTILE}, {"detector": HOSTILE}]),
        }  # fmt: skip
    db = Database.open(url)
    settings = ApiSettings(
        secure_cookies=False, review_threshold=0.5, redis_urls=redis_urls, data_dir=str(tmp),
        throttle=accounts.Throttle(max_failures=3), key_prefix=f"apitest-{tmp.name}",
    )  # fmt: skip
    world = World(db=db, app=create_app(db, settings))
    world.sites = sites
    with db.writing() as session:
        for tag_site, tags in (("fr", ["FR"]), ("de", ["DE"]), ("shared", ["ALL"]),
                               ("hostile", ["FR"])):  # fmt: skip
            actions.set_tags(session, ROOT, sites[tag_site], tags)
        # A row no validating writer would accept: the console must still render it inert.
        hostile = session.get(Site, sites["hostile"])
        assert hostile is not None
        hostile.label = HOSTILE
        session.add(Domain(domain=f"javascript:alert(1)//{HOSTILE}", site_id=hostile.id,
                           role="alias", how_linked="<script>alert(1)</script>", first_seen=T0,
                           last_seen=T0 + timedelta(days=1)))  # fmt: skip
        users = [(role, role, []) for role in ROLES] + [
            ("analyst_fr", "analyst", ["FR"]),
            ("coordinator_fr", "coordinator", ["FR"]),
            ("viewer_de", "viewer", ["DE"]),
        ]
        for name, role, scopes in users:
            user = accounts.add_user(session, ROOT, name, role, scopes, None)
            user.password_hash = _password_hash()  # real argon2, hashed once per process
            world.token_ids[name], world.tokens[name] = accounts.create_token(
                session, ROOT, name, "tests"
            )
        world.alert_id = _alert(session, sites["de"])
    return world


def _alert(session: object, site_id: int) -> int | None:
    """An outbox alert about the DE site, written by the alerts feature's own function."""
    from crawler.api import alerts

    if not alerts.AVAILABLE:
        return None
    from sqlalchemy import select

    from crawler.alerts.outbox import record_alert

    record_alert(session, event="site.hopped", site_id=site_id,  # type: ignore[arg-type]
                 dedup_key=f"test:{site_id}", payload={"site": "kinode.example"})  # fmt: skip
    return session.scalar(  # type: ignore[attr-defined, no-any-return]
        select(alerts.OutboxAlert.id).where(alerts.OutboxAlert.dedup_key == f"test:{site_id}")
    )


def world_fixture() -> Any:
    """``world = world_fixture()`` in a test module: one world per module."""

    @pytest.fixture(scope="module")
    def world(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[World]:
        built = build_world(tmp_path_factory.mktemp("api"), (redis_url,))
        try:
            yield built
        finally:
            built.db.close()

    return world
