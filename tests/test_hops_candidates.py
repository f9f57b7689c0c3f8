"""Hop candidates: what the generator proposes for a known domain, and what it never does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.domains import registered_domain
from crawler.linking.hops import SHARES, hop_candidates
from crawler.linking.tlds import icann_suffixes, rank_suffixes, ranked_tlds


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
    ("limetorrents.cc", "limetorrents-proxy.cc"),  # proxy suffix
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


def test_shares_sum_to_the_whole_budget() -> None:
    assert sum(share for _, share in SHARES) == pytest.approx(1.0)


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
