"""``isop sites show|confirm|false-positive|note``: what analysts type, what they read."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.cli import cli
from crawler.registry import Registry, analyst_labels
from crawler.registry.checks import CheckResult

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    with Registry.open(url) as reg:
        for domain, score, aliases in [("yts.mx", 0.9, [("yts.am", "redirect")]),
                                       ("maybe.to", 0.6, [])]:  # fmt: skip
            page = f"https://{domain}/"
            reg.record_page_verdict(
                domain=domain, url=page, score=score, infringing=True, kind="index",
                explanation="magnets", signals=[], seen_at=T0, aliases=aliases,
                content_sha256=hashlib.sha256(page.encode()).hexdigest(),
            )  # fmt: skip
        site = reg.site_by_domain("yts.mx")
        assert site is not None
        reg.record_check(CheckResult(site.id, "yts.mx", "https://yts.mx/", T0, "up",
                                     http_status=200, response_ms=120.0))  # fmt: skip
    return url


def isop(url: str, *args: str) -> Result:
    env = {"ISOP_DATABASE_URL": url, "ISOP_ANALYST": "ana", "COLUMNS": "220"}
    return CliRunner().invoke(cli, list(args), env=env)


def test_analysts_confirm_dismiss_and_annotate(url: str) -> None:
    result = isop(url, "sites", "confirm", "maybe.to", "--note", "catalogue checked")
    assert (result.exit_code, result.output) == (0, "maybe.to: confirmed\n")
    result = isop(url, "sites", "false-positive", "yts.mx", "--analyst", "bob")
    assert (result.exit_code, result.output) == (0, "yts.mx: false_positive\n")
    result = isop(url, "sites", "note", "yts.am", "this is the old domain of yts.mx")
    assert (result.exit_code, result.output) == (0, "yts.mx: note added\n")
    labels = {label.domains[0]: (label.label, label.analyst) for label in analyst_labels(url)}
    assert labels == {"maybe.to": ("confirmed", "ana"), "yts.mx": ("false_positive", "bob")}


def test_show_prints_the_whole_history(url: str) -> None:
    isop(url, "sites", "note", "yts.mx", "seen on a forum")
    result = isop(url, "sites", "show", "yts.am")
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("Site yts.mx", "monitored", "yts.am", "former", "redirect",
                   "candidate -> confirmed", "confirmed -> monitored", "seen on a forum",
                   "analyst:ana", "https://yts.mx/", "0.90", "120"):  # fmt: skip
        assert needle in out, needle
    data = json.loads(isop(url, "sites", "show", "yts.mx", "--json").output)
    assert data["site"] == "yts.mx" and data["status"] == "monitored"
    assert [d["domain"] for d in data["domain_links"]] == ["yts.mx", "yts.am"]
    assert [c["outcome"] for c in data["checks"]] == ["up"]
    assert [e["new"] for e in data["events"] if e["kind"] == "status"] == [
        "candidate", "confirmed", "monitored",
    ]  # fmt: skip
    assert len(data["evidence"]) == 1


def test_the_sites_listing_still_works(url: str) -> None:
    rows = [json.loads(line) for line in isop(url, "sites", "--json").output.splitlines()]
    assert [(r["site"], r["status"]) for r in rows] == [
        ("yts.mx", "monitored"), ("maybe.to", "candidate"),
    ]  # fmt: skip
    assert "2 sites" in isop(url, "sites").output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("sites", "show", "nobody.to"), "nobody.to: no site in the registry owns this domain"),
        (("sites", "confirm", "nobody.to"), "no site owns the domain 'nobody.to'"),
        (("sites", "show", "www.yts.mx"), "is not a registered domain: pass 'yts.mx'"),
        (("sites", "note", "yts.mx", " "), "note must be a non-empty string"),
    ],
)
def test_user_errors_are_one_line(url: str, args: tuple[str, ...], needle: str) -> None:
    result = isop(url, *args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr
