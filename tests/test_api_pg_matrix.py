"""The whole authorisation matrix again, on PostgreSQL (its own world: the matrix changes
statuses and verdicts, which other modules' tests must not inherit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_api_authz import test_matrix  # noqa: F401  (collected here, against PostgreSQL)
from test_api_support import World, build_world


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, postgres: Any
) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("api-pg-matrix"), (redis_url,),
                        postgres.create_database())  # fmt: skip
    assert built.db.engine.dialect.name == "postgresql"
    try:
        yield built
    finally:
        built.db.close()
