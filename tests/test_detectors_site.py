"""Site verdicts from page verdicts, and the calibration of the fused score."""

from __future__ import annotations

import math

from detectors.base import Signal, Verdict
from detectors.fusion import Fusion
from detectors.site import CANDIDATE, CLEAN, CONFIRMED, SiteConfig, fuse_site


def _page(score: float, kind: str | None, name: str = "magnet_links") -> Verdict:
    signal = Signal("page_structure", name, 1.0, f"{name} evidence", kind or "generic", 2.0)
    return Verdict(score, score >= 0.5, kind if score >= 0.5 else None, (signal,), "")


def test_one_ambiguous_page_makes_a_candidate_not_a_confirmed_site() -> None:
    site = fuse_site("x.to", [("http://x.to/a", _page(0.62, "index")),
                              ("http://x.to/b", _page(0.1, None))])  # fmt: skip
    assert site.status == CANDIDATE and not site.flagged
    assert site.kind == "index" and site.flagged_pages == 1 and site.pages == 2
    assert "candidate" in site.explanation


def test_one_strong_page_or_two_flagged_pages_confirm() -> None:
    strong = fuse_site("x.to", [("http://x.to/a", _page(0.95, "streaming"))])
    assert strong.status == CONFIRMED and strong.flagged and strong.kind == "streaming"
    two = fuse_site("y.to", [("http://y.to/a", _page(0.6, "iptv")),
                             ("http://y.to/b", _page(0.7, "iptv"))])  # fmt: skip
    assert two.status == CONFIRMED
    assert math.isclose(two.score, 1 - 0.4 * 0.3)  # noisy-OR of the flagged pages
    stricter = fuse_site("y.to", [("http://y.to/a", _page(0.6, "iptv")),
                                  ("http://y.to/b", _page(0.7, "iptv"))],
                         SiteConfig(confirm_pages=3))  # fmt: skip
    assert stricter.status == CANDIDATE


def test_kind_is_voted_by_page_scores_and_evidence_names_its_page() -> None:
    site = fuse_site("z.to", [
        ("http://z.to/1", _page(0.9, "streaming", "iframe_players")),
        ("http://z.to/2", _page(0.85, "index", "magnet_links")),
        ("http://z.to/3", _page(0.8, "index", "torrent_files")),
    ])  # fmt: skip
    assert site.kind == "index"
    urls = {item.signal.name: item.url for item in site.evidence}
    assert urls["iframe_players"] == "http://z.to/1" and urls["magnet_links"] == "http://z.to/2"
    assert site.to_dict()["evidence"][0]["url"].startswith("http://z.to/")


def test_clean_site() -> None:
    site = fuse_site("ok.org", [("http://ok.org/", _page(0.05, None))])
    assert site.status == CLEAN and site.kind is None and site.score == 0.05


def test_calibration_rescales_the_log_odds() -> None:
    base = {"bias": -3.0, "thresholds": {"infringing": 0.5}}
    signal = Signal("d", "s", 1.0, "e", "index", 4.0)
    plain = Fusion(base).fuse([signal]).score
    scaled = Fusion({**base, "calibration": {"slope": 0.5, "intercept": -0.5}}).fuse([signal]).score
    assert math.isclose(plain, 1 / (1 + math.exp(-1.0)))
    assert math.isclose(scaled, 1 / (1 + math.exp(-(0.5 * 1.0 - 0.5))))
