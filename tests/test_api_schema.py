"""Schemathesis against our own OpenAPI document: generated requests (valid and not) to every
endpoint; no answer may be a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from test_api_support import World, build_world

from crawler.api.app import create_app
from crawler.api.db import Database

# The document does not depend on the database: build it once, without one.
_DOC = create_app(cast(Database, None)).openapi()
_CONFIG = SchemathesisConfig.from_dict({"generation": {"max-examples": 4}, "seed": 1})
ADMIN_PATHS = ("/api/v1/users", "/api/v1/tokens", "/api/v1/audit")
# Destructive account endpoints would disable or revoke the callers themselves.
schema = schemathesis.openapi.from_dict(_DOC, config=_CONFIG).exclude(
    path_regex=r"^/api/v1/(users/\{username\}/disable|tokens/)"
)


@pytest.fixture(scope="module")
def schema_world(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[World]:
    world = build_world(tmp_path_factory.mktemp("schema"), (redis_url,))
    try:
        yield world
    finally:
        world.db.close()


@schema.parametrize()
def test_no_server_errors(case: Any, schema_world: World) -> None:
    """Admins for the account endpoints, a coordinator (who may do the most) elsewhere."""
    who = "admin" if case.operation.path.startswith(ADMIN_PATHS) else "coordinator"
    headers = {"Authorization": f"Bearer {schema_world.tokens[who]}"}
    response = case.call(app=schema_world.app, headers=headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
