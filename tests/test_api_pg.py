"""The same scope, audit and review tests on PostgreSQL (a throwaway server from PATH)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_api_auth import (  # noqa: F401  (collected here again, against PostgreSQL)
    test_audit_log_is_append_only_in_the_database,
    test_every_change_is_audited_with_before_and_after,
    test_login_is_throttled_per_account,
    test_tokens_are_stored_hashed_and_revocation_is_immediate,
)
from test_api_scope import (  # noqa: F401
    test_alerts_of_out_of_scope_sites_are_invisible,
    test_detail_of_out_of_scope_site_is_a_plain_404,
    test_exports_hold_only_visible_sites,
    test_list_shows_own_and_shared_sites_only,
    test_review_queue_and_labels_stay_in_scope,
    test_search_and_filters_stay_in_scope,
)
from test_api_support import World, build_world
from test_console_pages import (  # noqa: F401
    test_hostile_content_is_escaped_and_links_are_dead,
    test_review_queue_is_most_uncertain_first_and_feeds_labels,
)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, postgres: Any
) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("api-pg"), (redis_url,), postgres.create_database())
    assert built.db.engine.dialect.name == "postgresql"
    try:
        yield built
    finally:
        built.db.close()
