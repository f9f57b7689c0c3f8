"""Site lifecycle: candidate -> confirmed -> monitored and back, analysts' verdicts and notes,
the monitor's checks and claims, the alerts they queue; on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from crawler.alerts.models import OutboxAlert
from crawler.registry import Registry
from crawler.registry.checks import CheckResult
from crawler.registry.policy import Policy

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY = Policy(confirm_score=0.8, down_after_failures=2)


@pytest.fixture
def reg(registry_url: str) -> Iterator[Registry]:
    registry = Registry.open(registry_url, POLICY)
    yield registry
    registry.close()


def flag(reg: Registry, domain: str, score: float, page: str = "/", **extra: Any) -> Any:
    url = f"https://{domain}{page}"
    return reg.record_page_verdict(
        domain=domain, url=url, score=score, infringing=True, kind="index",
        explanation="magnets", signals=[], seen_at=extra.pop("seen_at", T0),
        content_sha256=hashlib.sha256(url.encode()).hexdigest(), **extra,
    )  # fmt: skip


def alerts(reg: Registry) -> list[tuple[str, int, dict[str, Any]]]:
    engine = create_engine(reg._engine.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(OutboxAlert.event, OutboxAlert.site_id, OutboxAlert.payload).order_by(
                    OutboxAlert.id
                )
            ).all()
    finally:
        engine.dispose()
    return [(event, site_id, payload) for event, site_id, payload in rows]


def check(reg: Registry, site_id: int, domain: str, outcome: str, at: datetime,
          **extra: Any) -> Any:  # fmt: skip
    url = f"https://{domain}/"
    result = CheckResult(site_id=site_id, domain=domain, url=url, at=at, outcome=outcome, **extra)
    return reg.record_check(result)


def test_a_candidate_is_confirmed_once_a_page_scores_above_the_threshold(reg: Registry) -> None:
    site = flag(reg, "yts.mx", 0.6)
    assert site.status == "candidate"
    assert alerts(reg) == []
    site = flag(reg, "yts.mx", 0.85, page="/movies", seen_at=T0 + timedelta(hours=1))
    assert site.status == "confirmed"
    flag(reg, "yts.mx", 0.95, page="/other", seen_at=T0 + timedelta(hours=2))
    [(event, site_id, payload)] = alerts(reg)  # one alert per event, however many pages
    assert (event, site_id) == ("site.confirmed", site.id)
    assert payload["site"] == "yts.mx" and payload["domains"] == ["yts.mx"]
    history = reg.history("yts.mx")
    assert history is not None
    assert [(e.old, e.new, e.actor) for e in history.events] == [
        (None, "candidate", "score"),
        ("candidate", "confirmed", "score"),
    ]
    assert [score for _, score in history.scores] == [0.6, 0.85, 0.95]


def test_analyst_verdicts_override_scores_and_are_kept_as_labels(reg: Registry) -> None:
    flag(reg, "low.to", 0.55)
    flag(reg, "legit.com", 0.99)
    confirmed = reg.confirm("low.to", "ana", note="seen the catalogue")
    assert confirmed.status == "confirmed"
    fp = reg.false_positive("legit.com", "bob", note="a film studio's own shop")
    assert fp.status == "false_positive"
    # A later, even higher-scoring page does not undo the analyst's verdict.
    again = flag(reg, "legit.com", 1.0, page="/new", seen_at=T0 + timedelta(days=1))
    assert again.status == "false_positive"
    reg.note("low.to", "ana", "operator also runs low-stream.to")
    labels = {label.domains[0]: label for label in reg.analyst_labels()}
    assert {d: (x.label, x.analyst, x.note) for d, x in labels.items()} == {
        "low.to": ("confirmed", "ana", "seen the catalogue"),
        "legit.com": ("false_positive", "bob", "a film studio's own shop"),
    }
    assert [e for e, _, _ in alerts(reg)] == ["site.confirmed", "site.confirmed"]
    history = reg.history("low.to")
    assert history is not None
    assert [(e.kind, e.actor, e.text) for e in history.events if e.kind == "note"] == [
        ("note", "analyst:ana", "operator also runs low-stream.to")
    ]
    with pytest.raises(ValueError, match="no site owns"):
        reg.confirm("unknown.to", "ana")


def test_claims_take_only_monitored_sites_once(reg: Registry) -> None:
    flag(reg, "cand.to", 0.5)
    flag(reg, "conf.to", 0.9)
    flag(reg, "fp.to", 0.9)
    reg.false_positive("fp.to", "ana")
    now = datetime.now(UTC)
    [due] = reg.claim_due(now=now)
    assert (due.domain, due.url, due.due_at) == ("conf.to", "https://conf.to/", now)
    assert reg.claim_due(now=now) == []  # claimed: another monitor does not schedule it again
    later = now + timedelta(seconds=POLICY.claim_grace_s + 1)
    assert [d.domain for d in reg.claim_due(now=later)] == ["conf.to"]  # the claim expired


def test_checks_move_a_site_through_its_statuses(reg: Registry) -> None:
    site = flag(reg, "yts.mx", 0.9)
    at = T0 + timedelta(hours=1)
    up = check(reg, site.id, "yts.mx", "up", at, http_status=200, fingerprint="a" * 64,
               title="YTS - movies")  # fmt: skip
    assert (up.previous_status, up.status) == ("confirmed", "monitored")
    assert up.next_check is not None
    assert up.next_check.due_at == at + timedelta(seconds=POLICY.revisit_s["monitored"])
    blip = check(reg, site.id, "yts.mx", "down", at + timedelta(hours=1), error="timeout")
    assert blip.status == "monitored" and not blip.went_down  # one failure is a blip
    down = check(reg, site.id, "yts.mx", "down", at + timedelta(hours=2), error="timeout")
    assert down.status == "down" and down.went_down
    assert (down.reference_fingerprint, down.reference_title) == ("a" * 64, "YTS - movies")
    back = check(reg, site.id, "yts.mx", "up", at + timedelta(hours=3), http_status=200,
                 fingerprint="b" * 64)  # fmt: skip
    assert back.status == "monitored" and back.fingerprint_changed is True
    check(reg, site.id, "yts.mx", "up", at + timedelta(hours=4), fingerprint="b" * 64)
    events = [e for e, _, _ in alerts(reg)]
    assert events == ["site.confirmed", "site.back_up"]
    seized = check(reg, site.id, "yts.mx", "seized", at + timedelta(hours=5), http_status=200)
    assert seized.status == "seized" and seized.went_down  # seized operators hop too
    assert seized.next_check is not None
    assert seized.next_check.due_at == at + timedelta(hours=5, seconds=604800)
    history = reg.history("yts.mx")
    assert history is not None
    assert [c.outcome for c in history.checks] == ["up", "down", "down", "up", "up", "seized"]
    assert [c.fingerprint_changed for c in history.checks] == [None, None, None, True, False, None]


def test_a_redirect_to_a_new_domain_is_a_hop(reg: Registry) -> None:
    site = flag(reg, "yts.mx", 0.9)
    moved = check(reg, site.id, "yts.mx", "moved", T0, http_status=200, moved_to="yts.lt",
                  redirect_chain=["https://yts.mx/", "https://yts.lt/"])  # fmt: skip
    assert moved.status == "moved"
    assert moved.next_check is not None and moved.next_check.domain == "yts.lt"
    history = reg.history("yts.lt")
    assert history is not None and history.site.label == "yts.lt"
    assert [(d.domain, d.role, d.how_linked) for d in history.domains] == [
        ("yts.mx", "former", "discovered"),
        ("yts.lt", "primary", "redirect"),
    ]
    assert history.domains[-1].proofs == [
        {"proof": "http_redirect", "detail": "monitor check: https://yts.mx/ -> https://yts.lt/"}
    ]
    hops = [(p["domain"], p["proofs"][0]["via"]) for e, _, p in alerts(reg) if e == "site.hopped"]
    assert hops == [("yts.lt", "yts.mx")]
    # A probe that found the site elsewhere records its proof.
    check(reg, site.id, "yts.lt", "moved", T0 + timedelta(hours=1), moved_to="yts.rs",
          link_proof="hop-probe:same-title")  # fmt: skip
    history = reg.history("yts.rs")
    assert history is not None
    assert history.domains[-1].how_linked == "hop-probe:same-title"
    assert history.domains[-1].proofs[0]["proof"] == "hop-probe:same-title"
    assert [e for e, _, _ in alerts(reg)].count("site.hopped") == 2


def test_a_move_onto_another_sites_domain_is_not_a_merge(reg: Registry) -> None:
    first = flag(reg, "first.to", 0.9)
    second = flag(reg, "second.to", 0.9)
    check(reg, first.id, "first.to", "moved", T0, moved_to="second.to")
    owner = reg.site_by_domain("second.to")
    assert owner is not None and owner.id == second.id
    assert reg.site_by_domain("first.to") is not None


def test_check_input_is_validated(reg: Registry) -> None:
    site = flag(reg, "yts.mx", 0.9)
    with pytest.raises(ValueError, match="outcome must be one of"):
        check(reg, site.id, "yts.mx", "exploded", T0)
    with pytest.raises(ValueError, match="unknown site id"):
        check(reg, site.id + 100, "yts.mx", "up", T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        check(reg, site.id, "yts.mx", "up", datetime(2025, 1, 1))


def test_a_check_of_a_site_rescheduled_since_is_stale(reg: Registry) -> None:
    site = flag(reg, "yts.mx", 0.9)
    now = datetime.now(UTC)
    [due] = reg.claim_due(now=now)
    down = check(reg, site.id, "yts.mx", "down", now, scheduled_for=due.due_at)
    assert down.next_check is not None and not down.stale
    # A hop probe found the site elsewhere meanwhile: that reschedules it.
    moved = check(reg, site.id, "yts.mx", "moved", now + timedelta(minutes=1), moved_to="yts.lt")
    assert moved.next_check is not None
    stale = check(reg, site.id, "yts.mx", "down", now, scheduled_for=down.next_check.due_at)
    assert stale.stale and stale.next_check is None
    later = now + timedelta(minutes=11)
    current = check(reg, site.id, "yts.lt", "up", later, scheduled_for=moved.next_check.due_at)
    assert not current.stale and current.status == "monitored"
    history = reg.history("yts.lt")
    assert history is not None
    assert [c.outcome for c in history.checks] == ["down", "moved", "up"]


def test_sites_sharing_identifiers_form_an_operator_cluster(reg: Registry) -> None:
    from sqlalchemy.orm import Session

    from crawler.linking.models import LinkFeature

    for domain in ("alpha.to", "beta.cc", "gamma.io", "delta.to", "lone.to"):
        flag(reg, domain, 0.9)
    features = [
        ("alpha.to", "wallet_btc", "bc1qoperator"), ("beta.cc", "wallet_btc", "bc1qoperator"),
        ("beta.cc", "telegram", "@pirates"), ("gamma.io", "telegram", "@pirates"),
        ("alpha.to", "template_sig", "same-kit"), ("delta.to", "template_sig", "same-kit"),
    ]  # fmt: skip
    with Session(reg._engine) as session, session.begin():
        for domain, kind, value in features:
            session.add(LinkFeature(domain=domain, kind=kind, value=value,
                                    url=f"https://{domain}/", seen_at=T0))  # fmt: skip
    alpha = reg.history("alpha.to")
    assert alpha is not None
    assert alpha.operator_cluster == f"op-{alpha.site.id}"
    assert alpha.cluster == [
        {"site": "beta.cc", "shared": [["wallet_btc", "bc1qoperator"]]},
        {"site": "gamma.io", "shared": [["telegram", "@pirates"]]},
    ]  # a shared page template is no operator identifier: delta.to is not in it
    gamma = reg.history("gamma.io")
    assert gamma is not None and gamma.operator_cluster == alpha.operator_cluster
    lone = reg.history("lone.to")
    assert lone is not None and (lone.operator_cluster, lone.cluster) == (None, [])


def test_monitors_claiming_at_once_schedule_each_site_once(registry_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Registry.open(registry_url, POLICY) as reg:
        reg.record_page_verdicts(
            {"domain": f"site{i}.to", "url": f"https://site{i}.to/", "score": 0.9,
             "infringing": True, "kind": "index", "explanation": "", "signals": [],
             "content_sha256": hashlib.sha256(str(i).encode()).hexdigest(), "seen_at": T0}
            for i in range(60)
        )  # fmt: skip
    now = datetime.now(UTC)

    def monitor(_: int) -> list[str]:
        with Registry.open(registry_url, POLICY) as own:
            claimed: list[str] = []
            while batch := own.claim_due(limit=7, now=now):
                claimed.extend(due.domain for due in batch)
            return claimed

    with ThreadPoolExecutor(4) as pool:
        claims = [domain for batch in pool.map(monitor, range(4)) for domain in batch]
    assert sorted(claims) == sorted(f"site{i}.to" for i in range(60))
