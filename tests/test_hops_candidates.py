"""Hop candidates: what the generator proposes for a known domain, and what it never does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.domains import registered_domain
from crawler.linking.hop_eval import read_hops
from crawler.linking.hop_priors import family_counts
from crawler.linking.hops import (
    explained_candidates,
    family_priors,
    hop_candidates,
    read_family_counts,
    tld_scores,
)
from crawler.linking.mutations import FAMILIES, explain
from crawler.linking.tlds import icann_suffixes, rank_suffixes, ranked_tlds

SAMPLE = Path(__file__).parent / "fixtures" / "linking" / "hops_sample.csv"


def test_next_number_comes_first_for_numbered_domains() -> None:
    out = hop_candidates("torrentqq288.com", 200)
    assert out[0] == "torrentqq289.com"
    assert "torrentqq290.com" in out[:5]
    assert "torrentqq287.com" in out  # a step back happens too (a rotation list)


def test_same_label_under_other_suffixes() -> None:
    out = hop_candidates("yts.mx", 200)
    for tld in ("com", "to", "tv", "org", "net", "lt"):
        assert f"yts.{tld}" in out, tld
    assert "yts.mx" not in out


@pytest.mark.parametrize(("old", "new"), [
    ("torrentz2.eu", "torrentz2eu.eu"),  # the suffix folded into the label
    ("cpasbiens.cc", "cpasbien.cc"),  # plural dropped
    ("trellas.info", "trelas.info"),  # a doubled letter dropped
    ("nnm-club.me", "nnmclub.me"),  # the hyphen dropped
    ("limetorrents.cc", "unblocklimetorrents.cc"),  # unblock prefix
    ("torrentwal.com", "torrentwal2.com"),  # first number added
])
def test_variant_families(old: str, new: str) -> None:
    assert new in hop_candidates(old, 200)


@pytest.mark.parametrize("budget", [1, 7, 50, 200, 500])
def test_budget_is_respected_and_candidates_are_unique_registered_domains(budget: int) -> None:
    out = hop_candidates("www.flixtorrent.to", budget)
    assert len(out) == budget
    assert len(set(out)) == len(out)
    for cand in out:
        assert registered_domain(cand) == cand, cand
        assert cand.split(".", 1)[1] in icann_suffixes(), cand
    assert hop_candidates("flixtorrent.to", budget) == out  # deterministic, host-insensitive


@pytest.mark.parametrize("junk", ["", "localhost", "127.0.0.1", "[::1]", "-.com", "a..b",
                                  "x" * 300 + ".com", "nosuffix.invalidtld", "..."])
def test_junk_input_gives_nothing(junk: str) -> None:
    assert hop_candidates(junk) == []


def test_zero_budget_gives_nothing() -> None:
    assert hop_candidates("yts.mx", 0) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_never_crashes(text: str) -> None:
    out = hop_candidates(text, 20)
    assert len(out) <= 20


def test_priors_are_probabilities_for_every_family() -> None:
    priors = family_priors()
    assert set(priors) == set(FAMILIES)
    for rate, keep in priors.values():
        assert 0.0 < rate < 1.0 and 0.0 < keep < 1.0
    # A renumbered label mostly keeps its suffix, a plain TLD swap changes it by definition.
    assert priors["next_number"][1] > 0.5


def test_suffix_scores_are_a_distribution_that_favours_the_old_registry() -> None:
    scores = tld_scores("online")
    assert "online" not in {t for _, t in scores}
    assert sum(p for p, _ in scores) == pytest.approx(1.0)
    assert [p for p, _ in scores] == sorted((p for p, _ in scores), reverse=True)
    rank = {t: i for i, (_, t) in enumerate(scores)}
    # .site and .store are Radix's like .online: ahead of where .com ranks them otherwise.
    plain = {t: i for i, (_, t) in enumerate(tld_scores("com"))}
    assert rank["store"] < plain["store"] and rank["site"] < plain["site"]


@pytest.mark.parametrize(("old", "new", "family"), [
    ("yts.mx", "yts.lt", "tld_swap"),
    ("torrentqq288.com", "torrentqq289.com", "next_number"),
    ("gotorrentkitty.cc", "torrentkitty.cc", "affix_drop"),
    ("ettvdl.com", "ettv.com", "affix_drop"),
    ("nnm-club.me", "nnmclub.me", "spelling"),
    ("limetorrents.cc", "unblocklimetorrents.cc", "affix"),
])
def test_each_candidate_names_the_family_that_proposed_it(old: str, new: str,
                                                          family: str) -> None:
    found = dict(explained_candidates(old, 200))
    assert found.get(new) == family, (new, found.get(new))
    assert [c for c, _ in explained_candidates(old, 200)] == hop_candidates(old, 200)


def test_explain_credits_the_first_family_that_makes_the_label() -> None:
    assert explain("torrent9", "pe", "torrent10") == "next_number"
    assert explain("cpasbiens", "bz", "cpasbien") == "spelling"
    assert explain("gammabay", "org", "quietriverlemon") is None
    assert explain("limetorrents", "cc", "limetorrents-proxy") == "affix"
    assert explain("yts", "mx", "yts") == "tld_swap"


def test_rare_families_keep_a_floor_at_a_large_budget() -> None:
    # Affixes explain 2 of 328 tuning hops: by score alone none would make the 200, but
    # each applicable family keeps its best two.
    families = {f for _, f in explained_candidates("limetorrents.cc", 200)}
    assert {"affix", "affix_drop", "other_number", "folded_suffix"} <= families
    small = {f for _, f in explained_candidates("limetorrents.cc", 20)}
    assert "affix" not in small  # no floor when the budget has no room for it


def test_family_counts_from_a_hop_history() -> None:
    counts = family_counts(read_hops(SAMPLE), before=2022)
    assert counts["next_number"] == (1, 1, 1)  # alphatorrents41 -> 42, same .com
    assert counts["tld_swap"][:2] == (1, 0)  # betaindex.to -> .net
    assert sum(n for n, _, _ in counts.values()) == 2  # the rebrand is no family's
    assert family_counts(read_hops(SAMPLE), before=2020) == {f: (0, 0, 0) for f in FAMILIES}


def test_priors_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "fam.txt"
    path.write_text("# c\ntld_swap 5 0 9\nnext_number 2 1 3 # x\nbogus 1 1 1\nspelling x 1 2\n")
    assert read_family_counts(path) == {"tld_swap": (5, 0, 9), "next_number": (2, 1, 3)}
    assert read_family_counts(path.with_name("absent.txt")) == {}


def test_suffix_order_puts_the_operator_of_a_hop_suffix_forward() -> None:
    # "app" is Google's: its other open TLDs ("dev", "page") move ahead of unknown ones.
    order = rank_suffixes(["app"])
    assert order[0] == "app"
    assert order.index("dev") < order.index("xyz")
    assert order.index("page") < order.index("xyz")
    assert order.index("fr") > order.index("xyz")  # country codes come after generic TLDs


def test_ranked_tlds_cover_every_generic_tld_once() -> None:
    order = ranked_tlds()
    assert len(order) == len(set(order))
    assert {"com", "to", "tv", "xyz", "sbs"} <= set(order)
    assert order[0] == "com"
