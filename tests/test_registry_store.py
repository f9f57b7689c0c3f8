"""Registry store: what one page verdict does to sites, domains and evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crawler.registry import Registry, SiteView, backend
from crawler.registry.render import sites_table

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def reg(registry_url: str) -> Iterator[Registry]:
    """A fresh registry on SQLite, then on PostgreSQL: every test runs on both."""
    registry = Registry.open(registry_url)
    yield registry
    registry.close()


def record(reg: Registry, domain: str, **overrides: Any) -> SiteView | None:
    """A verdict with sensible defaults: infringing index page at T0."""
    args: dict[str, Any] = {
        "domain": domain,
        "url": f"https://{domain}/",
        "score": 0.9,
        "infringing": True,
        "kind": "index",
        "explanation": "magnet links, release names",
        "signals": [{"detector": "heuristic", "name": "magnet", "score": 0.9}],
        "content_sha256": sha(domain),
        "seen_at": T0,
    }
    args.update(overrides)
    return reg.record_page_verdict(**args)


def test_clean_page_of_unknown_domain_creates_nothing(reg: Registry) -> None:
    assert record(reg, "wikipedia.org", score=0.05, infringing=False, kind=None) is None
    assert reg.sites() == []
    assert reg.site_by_domain("wikipedia.org") is None


def test_infringing_page_creates_a_confirmed_site(reg: Registry) -> None:
    site = record(reg, "yts.mx")
    assert site is not None
    assert (site.label, site.domains, site.kind, site.status) == (
        "yts.mx",
        ["yts.mx"],
        "index",
        "confirmed",
    )
    assert (site.score, site.first_seen, site.last_seen, site.evidence_count) == (0.9, T0, T0, 1)
    assert reg.site_by_domain("yts.mx") == site
    [evidence] = reg.evidence(site.id)
    assert evidence.url == "https://yts.mx/"
    assert evidence.signals == [{"detector": "heuristic", "name": "magnet", "score": 0.9}]
    assert evidence.content_sha256 == sha("yts.mx")
    assert evidence.captured_at == T0


def test_recrawl_of_the_same_page_adds_no_evidence(reg: Registry) -> None:
    record(reg, "yts.mx")
    again = record(reg, "yts.mx", seen_at=T0 + timedelta(hours=1))
    assert again is not None and again.evidence_count == 1
    assert again.last_seen == T0 + timedelta(hours=1)
    changed = record(reg, "yts.mx", content_sha256=sha("new"), seen_at=T0 + timedelta(hours=2))
    assert changed is not None and changed.evidence_count == 2


def test_score_is_the_latest_flagged_page(reg: Registry) -> None:
    record(reg, "yts.mx", score=0.9)
    later = record(reg, "yts.mx", score=0.6, seen_at=T0 + timedelta(days=1), url="https://yts.mx/y")
    assert later is not None
    assert (later.score, later.status, later.evidence_count) == (0.6, "confirmed", 2)
    # A verdict that arrives late (older seen_at) widens the window but is not "latest".
    late = record(reg, "yts.mx", score=0.7, seen_at=T0 - timedelta(days=1), url="https://yts.mx/x")
    assert late is not None
    assert (late.score, late.first_seen, late.last_seen) == (
        0.6,
        T0 - timedelta(days=1),
        T0 + timedelta(days=1),
    )


def test_sites_are_ordered_by_score(reg: Registry) -> None:
    record(reg, "low.to", score=0.6)
    record(reg, "high.to", score=0.95)
    record(reg, "mid.to", score=0.8)
    assert [s.label for s in reg.sites()] == ["high.to", "mid.to", "low.to"]


def test_redirect_aliases_join_the_site_as_former_domains(reg: Registry) -> None:
    site = record(reg, "yts.mx", aliases=[("yts.am", "redirect"), ("yts-mirror.net", "mirror")])
    assert site is not None
    assert site.domains[0] == "yts.mx"
    assert set(site.domains) == {"yts.mx", "yts.am", "yts-mirror.net"}
    assert reg.site_by_domain("yts.am") == reg.site_by_domain("yts.mx")


def test_alias_owned_by_another_site_stays_there(reg: Registry) -> None:
    first = record(reg, "a-torrents.to")
    second = record(reg, "b-streams.to", aliases=[("a-torrents.to", "linked")])
    assert first is not None and second is not None
    assert second.id != first.id and second.domains == ["b-streams.to"]
    owner = reg.site_by_domain("a-torrents.to")
    assert owner is not None and owner.id == first.id


def test_a_hop_to_a_new_domain_keeps_the_operation(reg: Registry) -> None:
    """old.to redirects to new.to: same site, new.to is now primary and the label."""
    old = record(reg, "old.to")
    hopped = record(reg, "new.to", aliases=[("old.to", "redirect")], seen_at=T0 + timedelta(days=3))
    assert old is not None and hopped is not None
    assert hopped.id == old.id
    assert hopped.label == "new.to"
    assert hopped.domains == ["new.to", "old.to"]
    assert len(reg.sites()) == 1


def test_non_infringing_page_of_a_known_site_updates_it(reg: Registry) -> None:
    record(reg, "yts.mx")
    site = record(
        reg,
        "yts.mx",
        score=0.1,
        infringing=False,
        url="https://yts.mx/faq",
        seen_at=T0 + timedelta(1),
    )
    # It is seen again, but a clean page (an FAQ) does not lower the evidence's score.
    assert site is not None and site.evidence_count == 1
    assert site.score == 0.9 and site.last_seen == T0 + timedelta(1)


def test_datetimes_come_back_in_utc(reg: Registry) -> None:
    paris = timezone(timedelta(hours=2))
    site = record(reg, "yts.mx", seen_at=datetime(2025, 6, 1, 14, 0, tzinfo=paris))
    assert site is not None
    stored = reg.site_by_domain("yts.mx")
    assert stored is not None
    assert stored.first_seen == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert stored.first_seen.tzinfo == UTC


def test_to_json_is_the_stable_cli_contract(reg: Registry) -> None:
    record(reg, "yts.mx", aliases=[("yts.am", "redirect")])
    [site] = reg.sites()
    assert site.to_json() == {
        "site": "yts.mx",
        "domains": ["yts.mx", "yts.am"],
        "kind": "index",
        "status": "confirmed",
        "score": 0.9,
        "first_seen": "2025-03-01T12:00:00+00:00",
        "last_seen": "2025-03-01T12:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score": 1.5}, "within [0, 1]"),
        ({"score": -0.1}, "within [0, 1]"),
        ({"score": float("nan")}, "within [0, 1]"),
        ({"score": "0.9"}, "must be a number"),
        ({"domain": ""}, "non-empty"),
        ({"domain": "YTS.mx"}, "lower-case"),
        ({"domain": "www.yts.mx"}, "pass 'yts.mx'"),
        ({"domain": "https://yts.mx/"}, "not a host name"),
        ({"kind": "torrent"}, "kind must be one of"),
        ({"content_sha256": "abc"}, "64 lower-case hex"),
        ({"seen_at": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"signals": [{"score": float("inf")}]}, "JSON-serialisable"),
        ({"signals": ["magnet"]}, "list of dicts"),
        ({"url": ""}, "url must be"),
        ({"aliases": [("Bad Domain", "redirect")]}, "alias domain"),
        ({"aliases": [("yts.am", "")]}, "how_linked"),
    ],
)
def test_invalid_input_is_refused_before_the_database(
    reg: Registry, overrides: dict[str, Any], message: str
) -> None:
    overrides = dict(overrides)  # shared by both backends' runs: don't consume it
    domain = overrides.pop("domain", "yts.mx")
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        record(reg, domain, **overrides)
    assert reg.sites() == []


def test_ip_hosts_and_sandbox_names_are_domains(reg: Registry) -> None:
    assert record(reg, "127.0.0.1") is not None
    assert record(reg, "streamz.test") is not None


def test_evidence_of_unknown_site_is_an_error(reg: Registry) -> None:
    with pytest.raises(ValueError, match="unknown site id 42"):
        reg.evidence(42)


def test_site_by_domain_validates(reg: Registry) -> None:
    with pytest.raises(ValueError, match="lower-case"):
        reg.site_by_domain("Yts.MX")


def test_sites_table_renders_every_site(reg: Registry) -> None:
    record(reg, "yts.mx", aliases=[("yts.am", "redirect")])
    record(reg, "streamz.to", kind="streaming", score=0.7)
    console = Console(width=200, record=True)
    console.print(sites_table(reg.sites()))
    out = console.export_text()
    assert "yts.mx" in out and "yts.am" in out and "streaming" in out
    assert out.index("yts.mx") < out.index("streamz.to")
    assert "2 sites" in out


def test_a_write_that_lost_a_race_is_retried(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL two writers can both create a domain; the loser retries and finds it."""
    real = backend.record_page_verdict
    calls: list[int] = []

    def lose_once(session: Session, page: backend.PageVerdict, *args: Any) -> SiteView | None:
        calls.append(1)
        result = real(session, page, *args)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO domains", {}, Exception("UNIQUE constraint failed"))
        return result

    monkeypatch.setattr(backend, "record_page_verdict", lose_once)
    site = record(reg, "yts.mx")
    assert len(calls) == 2
    assert site is not None and site.evidence_count == 1
    assert len(reg.sites()) == 1  # the first attempt was rolled back


def test_a_real_database_error_is_not_retried(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken(session: Session, page: backend.PageVerdict, *args: Any) -> SiteView | None:
        calls.append(1)
        raise OperationalError("SELECT", {}, Exception("no such table: domains"))

    monkeypatch.setattr(backend, "record_page_verdict", broken)
    with pytest.raises(OperationalError, match="no such table"):
        record(reg, "yts.mx")
    assert len(calls) == 1


def test_a_batch_writes_what_single_writes_would(reg: Registry) -> None:
    verdicts = [
        {
            "domain": f"batch{i % 5}.to", "url": f"https://batch{i % 5}.to/{i}", "score": 0.9,
            "infringing": True, "kind": "index", "explanation": "", "signals": [],
            "content_sha256": sha(str(i)), "seen_at": T0 + timedelta(seconds=i),
        }
        for i in range(50)
    ]  # fmt: skip
    assert reg.record_page_verdicts(verdicts) == 50
    assert reg.record_page_verdicts(verdicts[:10]) == 10  # the same pages again: no new rows
    sites = reg.sites()
    assert sorted(s.label for s in sites) == [f"batch{i}.to" for i in range(5)]
    assert {s.evidence_count for s in sites} == {10}
    assert {s.last_seen for s in sites} == {T0 + timedelta(seconds=45 + i) for i in range(5)}
    bad = [*verdicts[:3], {**verdicts[3], "score": 2.0}]
    with pytest.raises(ValueError, match="within"):
        reg.record_page_verdicts(bad)
    assert sum(s.evidence_count for s in reg.sites()) == 50
