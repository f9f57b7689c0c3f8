"""A closed case: set by a coordinator through the API, never revisited by the monitor, kept
with its history, and reopened by hand (then checked at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from test_api_support import build_world

from crawler.registry import Registry
from crawler.registry.checks import CheckResult
from crawler.registry.vocab import SITE_STATUSES


def _due(registry: Registry, site_id: int, now: datetime) -> list[int]:
    return [d.site_id for d in registry.claim_due(limit=100, now=now) if d.site_id == site_id]


def test_closed_case_is_not_revisited_until_reopened(tmp_path: Path, registry_url: str) -> None:
    """On SQLite and PostgreSQL (the monitor's claim takes row locks there)."""
    assert "closed" in SITE_STATUSES
    world = build_world(tmp_path, url=registry_url)
    registry = Registry.open(registry_url)
    site = world.sites["untagged"]
    coordinator = world.client("coordinator")
    try:
        assert coordinator.post(f"/api/v1/sites/{site}/status",
                                json={"status": "monitored"}).status_code == 200  # fmt: skip
        now = datetime.now(UTC)
        claimed = [d for d in registry.claim_due(limit=100, now=now) if d.site_id == site]
        assert len(claimed) == 1  # the monitor has a check of it in flight

        analyst = world.client("analyst").post(f"/api/v1/sites/{site}/status",
                                               json={"status": "closed"})  # fmt: skip
        assert analyst.status_code == 403  # closing is a status change: coordinators
        closed = coordinator.post(f"/api/v1/sites/{site}/status",
                                  json={"status": "closed", "why": "taken down, case done"})
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"

        # The check already in flight comes back: dropped as stale, the case stays closed.
        late = registry.record_check(CheckResult(
            site_id=site, domain=claimed[0].domain, url=claimed[0].url, at=now,
            outcome="up", http_status=200, scheduled_for=claimed[0].due_at))  # fmt: skip
        assert late.stale and late.status == "closed" and late.next_check is None
        for later in (now, now + timedelta(days=30)):
            assert _due(registry, site, later) == []

        detail = world.client("viewer").get(f"/api/v1/sites/{site}").json()
        assert detail["status"] == "closed"
        events = [(e["old"], e["new"]) for e in detail["history"] if e["kind"] == "status"]
        assert ("monitored", "closed") in events
        audit = world.client("admin").get("/api/v1/audit", params={"action": "site.status"})
        assert any(e["after"] == {"status": "closed", "verdict": None}
                   for e in audit.json()["items"]), audit.json()  # fmt: skip
        console, _ = world.login("coordinator")
        page = console.get(f"/console/sites/{site}").text
        assert '<option value="closed">closed</option>' in page
        assert 'class="status-closed"' in page

        reopened = coordinator.post(f"/api/v1/sites/{site}/status", json={"status": "monitored"})
        assert reopened.status_code == 200 and reopened.json()["status"] == "monitored"
        assert _due(registry, site, now) == [site]  # scheduled at once, not in an hour
    finally:
        registry.close()
        world.db.close()
