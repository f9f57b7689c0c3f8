"""The detectors on real public data (../shared/realdata), read at test time, never copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.base import Content
from detectors.heuristic.m3u import parse_m3u
from detectors.pipeline import DetectionPipeline

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent"),
]


@pytest.fixture(scope="module")
def pipeline() -> DetectionPipeline:
    return DetectionPipeline.from_config()


def test_real_torrent_search_page_is_flagged_as_index(pipeline: DetectionPipeline) -> None:
    body = (REALDATA / "jackett" / "torrent_search_results.html").read_bytes()
    verdict = pipeline.evaluate(
        Content("https://www.testdefinition1.cc/search?query=ubuntu", "html", body)
    )
    assert verdict.infringing and verdict.kind == "index", verdict.explanation
    names = {s.name for s in verdict.signals}
    assert {"magnet_links", "torrent_files"} <= names
    # Its results are Ubuntu ISOs, yet it is a pirate index: the distro counter must not fire.
    assert "open_source_distribution" not in names


def test_real_free_to_air_playlist_is_not_flagged(pipeline: DetectionPipeline) -> None:
    body = (REALDATA / "iptv" / "free-tv_playlist.m3u8").read_bytes()
    playlist = parse_m3u(body.decode("utf-8"))
    assert len(playlist.entries) == 2059
    verdict = pipeline.evaluate(Content("https://free-tv.example/playlist.m3u8", "playlist", body))
    assert not verdict.infringing, verdict.explanation
    assert verdict.score < 0.2
    assert any(s.family == "counter" for s in verdict.signals)


def test_real_hls_manifests_parse_and_are_not_channel_lists(pipeline: DetectionPipeline) -> None:
    folder = REALDATA / "hls" / "globocom_m3u8"
    manifests = sorted(folder.glob("*.m3u8"))
    assert len(manifests) >= 90
    for path in manifests:
        verdict = pipeline.evaluate(Content(f"https://cdn.example/{path.name}", "playlist",
                                            path.read_bytes()))
        assert not verdict.infringing, path.name
    assert not pipeline.errors


def test_real_epg_guides_are_harmless_as_any_kind(pipeline: DetectionPipeline) -> None:
    for path in sorted((REALDATA / "epg").glob("*.xml"))[:3]:
        body = path.read_bytes()
        for kind in ("html", "playlist", "panel"):
            verdict = pipeline.evaluate(Content(f"https://epg.example/{path.name}", kind, body))
            assert not verdict.infringing, (path.name, kind, verdict.explanation)
    assert not pipeline.errors
