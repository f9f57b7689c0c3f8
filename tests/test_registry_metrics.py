"""Registry metrics: sites by status and kind, checks by outcome, read at scrape time."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from prometheus_client import CollectorRegistry, generate_latest

from crawler.registry import Registry
from crawler.registry.checks import CheckResult
from crawler.registry.metrics import RegistryCollector, register_on_exporter

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def test_sites_by_status_and_kind_and_checks_by_outcome(tmp_path: Path) -> None:
    with Registry.open(f"sqlite:///{tmp_path / 'r.db'}") as reg:
        for domain, score, kind in [("a.to", 0.9, "index"), ("b.to", 0.9, "index"),
                                    ("c.to", 0.5, "iptv"), ("d.to", 0.95, None)]:  # fmt: skip
            url = f"https://{domain}/"
            reg.record_page_verdict(
                domain=domain, url=url, score=score, infringing=True, kind=kind,
                explanation="", signals=[], seen_at=T0,
                content_sha256=hashlib.sha256(url.encode()).hexdigest(),
            )  # fmt: skip
        site = reg.site_by_domain("a.to")
        assert site is not None
        for outcome in ("up", "up", "seized"):
            reg.record_check(CheckResult(site.id, "a.to", "https://a.to/", T0, outcome))
        prom = CollectorRegistry()
        holder = SimpleNamespace(registry=prom)
        assert register_on_exporter(SimpleNamespace(extensions=SimpleNamespace(
            middlewares=[object(), holder])), reg)  # fmt: skip
        text = generate_latest(prom).decode()
    assert 'isop_sites{kind="index",status="confirmed"} 1.0' in text
    assert 'isop_sites{kind="index",status="seized"} 1.0' in text
    assert 'isop_sites{kind="iptv",status="candidate"} 1.0' in text
    assert 'isop_sites{kind="unknown",status="confirmed"} 1.0' in text
    assert 'isop_site_checks_total{outcome="up"} 2.0' in text
    assert 'isop_site_checks_total{outcome="seized"} 1.0' in text


def test_a_database_away_gives_an_empty_scrape(tmp_path: Path) -> None:
    reg = Registry.open(f"sqlite:///{tmp_path / 'r.db'}")
    reg.close()
    (tmp_path / "r.db").unlink()
    (tmp_path / "r.db").mkdir()  # now unreadable as a database
    prom = CollectorRegistry()
    prom.register(RegistryCollector(reg))
    assert b"isop_sites" not in generate_latest(prom)
