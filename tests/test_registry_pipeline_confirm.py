"""The registry confirms a site by the detectors' site rule (detectors.yaml ``site``): one
page at ``confirm_score`` or ``confirm_pages`` flagged pages; one ambiguous page leaves a
candidate.  Single writes and batches, SQLite and PostgreSQL; analysts still decide."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.config import CONFIG_DIR, load_config
from crawler.registry import Registry
from crawler.registry.policy import Policy, policy_from

T0 = datetime(2026, 11, 1, tzinfo=UTC)
RULE = Policy(confirm_score=0.8, confirm_pages=2)


def _verdict(domain: str, path: str, score: float, n: int = 0) -> dict[str, Any]:
    return {"domain": domain, "url": f"http://{domain}/{path}", "score": score,
            "infringing": True, "kind": "streaming", "explanation": "test", "signals": [],
            "content_sha256": hashlib.sha256(f"{path}{n}".encode()).hexdigest(),
            "seen_at": T0 + timedelta(minutes=n)}  # fmt: skip


def _confirmed_alerts(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(OutboxAlert).where(OutboxAlert.event ==
                                                             "site.confirmed"))  # fmt: skip
            return len(list(rows))
    finally:
        engine.dispose()


@pytest.mark.parametrize("batched", [False, True])
def test_one_ambiguous_page_is_a_candidate_two_flagged_pages_confirm(
    registry_url: str, batched: bool
) -> None:
    with Registry.open(registry_url, RULE) as registry:
        def write(*verdicts: dict[str, Any]) -> None:
            if batched:
                registry.record_page_verdicts(verdicts)
            else:
                for v in verdicts:
                    registry.record_page_verdict(**v)

        write(_verdict("ambig.to", "a", 0.6, 1))
        assert registry.site_by_domain("ambig.to").status == "candidate"  # type: ignore[union-attr]
        write(_verdict("ambig.to", "a", 0.65, 2))  # the same page again (new content)
        assert registry.site_by_domain("ambig.to").status == "candidate"  # type: ignore[union-attr]
        write(_verdict("ambig.to", "b", 0.6, 3))  # a second flagged page
        site = registry.site_by_domain("ambig.to")
        assert site is not None and site.status == "confirmed"
        history = registry.history("ambig.to")
        assert history is not None
        why = [e.text for e in history.events if e.kind == "status" and e.new == "confirmed"]
        assert why and "2 flagged pages" in (why[0] or "")
        write(_verdict("strong.to", "x", 0.85, 4))  # one strong page is enough
        assert registry.site_by_domain("strong.to").status == "confirmed"  # type: ignore[union-attr]
    assert _confirmed_alerts(registry_url) == 2  # one per confirmed site, none for candidates


def test_two_weak_pages_in_one_batch_confirm_a_known_candidate(registry_url: str) -> None:
    with Registry.open(registry_url, RULE) as registry:
        registry.record_page_verdict(**_verdict("weak.to", "a", 0.55, 1))
        # Known domain: the set-based path; its evidence counts once inserted.
        registry.record_page_verdicts([_verdict("weak.to", "a", 0.55, 2)])
        assert registry.site_by_domain("weak.to").status == "candidate"  # type: ignore[union-attr]
        registry.record_page_verdicts([_verdict("weak.to", "b", 0.55, 3)])
        assert registry.site_by_domain("weak.to").status == "confirmed"  # type: ignore[union-attr]


def test_image_evidence_is_not_a_flagged_page(registry_url: str) -> None:
    with Registry.open(registry_url, RULE) as registry:
        registry.record_page_verdict(**_verdict("poster.to", "a", 0.6, 1))
        registry.record_evidence(
            domain="poster.to", url="http://poster.to/poster.jpg", score=0.95,
            explanation="a protected poster", content_sha256="ab" * 32, seen_at=T0,
            signals=[{"detector": "image_phash", "name": "catalog_match", "score": 0.95,
                      "evidence": "poster of a protected film"}])  # fmt: skip
        registry.record_page_verdict(**_verdict("poster.to", "a", 0.6, 2))
        assert registry.site_by_domain("poster.to").status == "candidate"  # type: ignore[union-attr]


def test_analyst_verdicts_still_override_the_rule(registry_url: str) -> None:
    with Registry.open(registry_url, RULE) as registry:
        registry.record_page_verdict(**_verdict("fp.to", "a", 0.6, 1))
        registry.false_positive("fp.to", "ana", "a review site")
        for n, path in enumerate("bcd", start=2):
            registry.record_page_verdict(**_verdict("fp.to", path, 0.95, n))
        assert registry.site_by_domain("fp.to").status == "false_positive"  # type: ignore[union-attr]
        registry.record_page_verdict(**_verdict("early.to", "a", 0.6, 1))
        assert registry.confirm("early.to", "ana").status == "confirmed"  # before the rule


def test_policy_reads_the_site_rule_from_the_detectors_config(tmp_path: Path) -> None:
    defaults = policy_from(load_config(environ={}))
    assert (defaults.confirm_score, defaults.confirm_pages) == (0.9, 2)  # detectors.yaml site
    data = yaml.safe_load((CONFIG_DIR / "detectors.yaml").read_text())
    for entry in data["detectors"]:  # includes stay where they are
        if isinstance(entry, dict) and entry.get("include"):
            entry["include"] = str(CONFIG_DIR / entry["include"])
    data["site"] = {"confirm_score": 0.95, "confirm_pages": 3}
    tuned = tmp_path / "detectors.yaml"
    tuned.write_text(yaml.safe_dump(data))
    config = load_config(environ={"ISOP_DETECTORS__CONFIG": str(tuned)})
    policy = policy_from(config)
    assert (policy.confirm_score, policy.confirm_pages) == (0.95, 3)
    override = config.with_overrides(registry={"confirm_score": 0.75})
    assert policy_from(override).confirm_score == 0.75
    with pytest.raises(ValueError, match="confirm_pages"):
        Policy(confirm_pages=0)
