"""``isop hops eval`` on a small hand-made hop history (our own domains)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from crawler.linking.hop_eval import Hop, evaluate, load_hops
from crawler.linking.hops import hop_candidates

SAMPLE = Path(__file__).parent / "fixtures" / "linking" / "hops_sample.csv"


def test_hops_are_added_domains_whose_registered_domain_changed() -> None:
    data = load_hops(SAMPLE)
    assert data.rows == 12
    assert data.bad_rows == 2  # "not a url" and the row without a year
    news = {hop.new for hop in data.hops}
    # The subdomain swap (same example.com) is a mirror and the added-only indexer has no old
    # domain: neither is a hop.
    assert news == {"alphatorrents42.com", "betaindex.net", "quietriverlemon.org"}
    assert Hop(2020, "alpha", ("alphatorrents41.com",), "alphatorrents42.com") in data.hops


def test_recall_counts_found_and_missed_hops_per_year() -> None:
    result = evaluate(load_hops(SAMPLE).hops, hop_candidates, 200)
    assert (result.found, result.total) == (2, 3)  # the rebrand cannot be guessed
    assert result.by_year == {2020: [2, 2], 2021: [0, 1]}
    assert result.span_rate(2021, 2023) == (0, 1)


def test_budget_one_only_finds_the_next_number() -> None:
    result = evaluate(load_hops(SAMPLE).hops, hop_candidates, 1)
    assert (result.found, result.total) == (1, 3)


def test_cli_json(tmp_path: Path) -> None:
    run = CliRunner().invoke(cli, ["hops", "eval", str(SAMPLE), "--json", "--held-out-from",
                                   "2021"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.output)
    assert out["recall"] == round(2 / 3, 4)
    assert out["tuning_years"] == {"hops": 2, "found": 2, "recall": 1.0}
    assert out["held_out_years"] == {"hops": 1, "found": 0, "recall": 0.0}
    assert out["by_year"]["2020"] == {"hops": 2, "found": 2, "recall": 1.0}


def test_cli_table_and_candidates() -> None:
    run = CliRunner().invoke(cli, ["hops", "eval", str(SAMPLE)])
    assert run.exit_code == 0, run.output
    assert "66.7%" in run.output and "2020" in run.output
    run = CliRunner().invoke(cli, ["hops", "candidates", "alphatorrents41.com", "--budget", "3"])
    assert run.exit_code == 0
    assert run.output.splitlines()[0] == "alphatorrents42.com"
    assert len(run.output.splitlines()) == 3


def test_cli_user_errors(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("date,commit,indexer,change,url\n")
    for args, needle in ((["hops", "eval", str(tmp_path / "none.csv")], "none.csv"),
                         (["hops", "eval", str(wrong)], "missing columns"),
                         (["hops", "eval", str(empty)], "no hop"),
                         (["hops", "candidates", "localhost"], "localhost")):
        run = CliRunner().invoke(cli, args)
        assert run.exit_code == 2, (args, run.output)
        assert needle in run.output and "Traceback" not in run.output


def test_cli_verbose_names_the_family_of_each_found_hop() -> None:
    run = CliRunner().invoke(cli, ["hops", "eval", str(SAMPLE), "--verbose"])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    assert ("2020 alpha: alphatorrents41.com -> alphatorrents42.com: next_number #1 from "
            "alphatorrents41.com") in lines
    assert any(line.startswith("2020 beta: betaindex.to -> betaindex.net: tld_swap #")
               for line in lines)
    assert "2021 gamma: gammabay.org -> quietriverlemon.org: MISSED" in lines
    assert "hops by family: " in run.output and "missed 1" in run.output
    run = CliRunner().invoke(cli, ["hops", "eval", str(SAMPLE), "--json", "-v"])
    out = json.loads(run.output)
    assert out["distinct_by_family"] == {"next_number": 1, "tld_swap": 1, "missed": 1}
    assert {h["new"]: h["family"] for h in out["hop_list"]} == {
        "alphatorrents42.com": "next_number", "betaindex.net": "tld_swap",
        "quietriverlemon.org": None}


def test_cli_candidates_explain() -> None:
    run = CliRunner().invoke(cli, ["hops", "candidates", "alphatorrents41.com", "--budget", "2",
                                   "--explain"])
    assert run.exit_code == 0, run.output
    assert run.output.splitlines()[0] == "alphatorrents42.com\tnext_number"
