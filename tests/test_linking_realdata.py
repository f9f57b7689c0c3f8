"""Linking features of a real torrent index page (../shared/realdata, read at test time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.linking.features import page_features

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent"),
]


def test_real_search_page_yields_its_analytics_id_and_no_false_wallet() -> None:
    body = (REALDATA / "jackett" / "torrent_search_results.html").read_bytes()
    assert body.count(b"magnet:?xt=urn:btih:") >= 25  # 40-hex infohashes everywhere
    features = page_features("https://www.testdefinition1.cc/search?query=ubuntu", "text/html",
                             body)
    kinds = {f.kind for f in features}
    assert ("ga_ua", "UA-149121398") in {(f.kind, f.value) for f in features}
    assert not any(k.startswith("wallet_") for k in kinds)
    assert "template_sig" in kinds and sum(k == "template_band" for k in
                                           (f.kind for f in features)) == 16
