"""Title and channel matching: catalog lookups, release names, the detector, real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.base import Content
from detectors.config import DEFAULT_CONFIG_PATH, load_config
from detectors.inputs import torrent_listing
from detectors.title.catalog import load_channels, load_works, normalize, numbers
from detectors.title.detector import TitleDetector, channel_name
from detectors.title.release import parse_release, split_release

CATALOG = DEFAULT_CONFIG_PATH.parent / "catalog"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.fixture(scope="module")
def detector() -> TitleDetector:
    return TitleDetector(load_config().settings_for("title_match"))


def test_normalize_and_numbers() -> None:
    assert normalize("Dune: Part Two") == "dune part two"
    assert normalize("Deadpool & Wolverine") == "deadpool and wolverine"
    assert normalize("Anatomie d'une chute") == "anatomie d une chute"
    assert numbers("gladiator ii") == numbers("gladiator 2") == frozenset({"2"})


def test_work_lookup_exact_fuzzy_year_and_numbers() -> None:
    works = load_works(CATALOG / "works.yaml")
    assert works.lookup("Divertida Mente 2").entry.label == "Inside Out 2"  # type: ignore[union-attr]
    typo = works.lookup("Oppenhiemer")  # a typo, fuzzy
    assert typo is not None and typo.entry.label == "Oppenheimer" and typo.score < 100
    assert works.lookup("Parasite", 2019) is not None
    assert works.lookup("Parasite", 1982) is None  # a same-named film of another year
    assert works.lookup("Inside Out") is None  # not the protected sequel
    assert works.lookup("Kung Fu Panda 3") is None  # numbers must agree
    assert works.lookup("기생충").entry.label == "Parasite"  # type: ignore[union-attr]


def test_channel_lookup_needs_exact_short_names() -> None:
    channels = load_channels(CATALOG / "channels.yaml")
    assert channels.lookup(channel_name("UK: SKY SPORTS MAIN EVENT FHD")) is not None
    assert channels.lookup(channel_name("|AR| BEIN SPORTS 2 HD")).entry.label == "beIN Sports 2"  # type: ignore[union-attr]
    assert channels.lookup("Cinema") is None  # not "Cinemax"
    assert channels.lookup("Sport") is None  # not "SporTV"


def test_release_split_and_guessit() -> None:
    release = split_release("Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.HEVC-FLUX")
    assert release is not None
    assert (release.title, release.year) == ("Dune Part Two", 2024)
    assert split_release("Dune Part Two review") is None  # no scene tag
    parsed = parse_release("Queen.of.Tears.S01E16.1080p.NF.WEB-DL.x264-GRP")
    assert parsed["title"] == "Queen of Tears" and parsed["episode"] == 16


def test_detector_release_titles_and_traps(detector: TitleDetector) -> None:
    page = Content("https://x.example/", "html", (
        b"<html><head><title>New</title></head><body>"
        b"<a href='/1'>Parasite.2019.1080p.BluRay.x264-GRP</a>"
        b"<a href='/2'>Parasite.1982.DVDRip.XviD-OLD</a>"
        b"<a href='/3'>Titanic.1953.720p.WEB-DL</a></body></html>"
    ))  # fmt: skip
    signals = {s.name: s for s in detector.detect(page)}
    release = signals["protected_release"]
    assert release.family == "index" and release.score == 0.5  # one work of two to saturate
    assert "Parasite" in release.evidence and "2019" in release.evidence
    assert "1982" not in release.evidence and "Titanic" not in release.evidence


def test_detector_on_pirate_playlist(detector: TitleDetector) -> None:
    body = (b"#EXTM3U\n#EXTINF:-1,UK: SKY SPORTS MAIN EVENT FHD\nhttp://h:8080/live/u/p/1.ts\n"
            b"#EXTINF:-1,|FR| CANAL+ SPORT HEVC\nhttp://h:8080/live/u/p/2.ts\n"
            b"#EXTINF:-1,BBC One HD\nhttp://h:8080/live/u/p/3.ts\n")  # fmt: skip
    signals = detector.detect(Content("http://h:8080/get.php", "playlist", body))
    assert [s.name for s in signals] == ["protected_channels"]
    assert "Sky Sports Main Event" in signals[0].evidence and "Canal+ Sport" in signals[0].evidence
    assert "BBC" not in signals[0].evidence


def test_hostile_inputs_do_not_raise(detector: TitleDetector) -> None:
    for kind in ("html", "playlist", "listing"):
        for body in (b"\xff\xfe\x00garbage" * 1000, b"[" * 10000, b"1080p " * 20000):
            detector.detect(Content("http://x/", kind, body))




@pytest.mark.realdata
@pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent")
def test_real_scene_torrent_is_a_release_and_free_tv_is_not_protected(
    detector: TitleDetector,
) -> None:
    body = (REALDATA / "torrents" / "88.torrent").read_bytes()
    listing = Content("file:///88.torrent", "listing", body, text=torrent_listing(body))
    signals = {s.name: s for s in detector.detect(listing)}
    assert "scene_release" in signals
    assert "release_group=mfcorrea" in signals["scene_release"].evidence
    legal = (REALDATA / "torrents" / "a.torrent").read_bytes()
    archive = Content("file:///a", "listing", legal, text=torrent_listing(legal))
    assert detector.detect(archive) == []
    playlist = (REALDATA / "iptv" / "free-tv_playlist.m3u8").read_bytes()
    assert detector.detect(Content("https://free-tv.example/p.m3u8", "playlist", playlist)) == []
