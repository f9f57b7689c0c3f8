"""Property-based tests (hypothesis) of the M3U, magnet and release-name parsers: generated
documents round-trip, and arbitrary text never raises."""

from __future__ import annotations

import base64
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawler.extract.magnet import find_magnets, parse_magnet
from crawler.extract.playlist import parse_playlist
from crawler.extract.release import looks_like_release, parse_release
from crawler.safety.credentials import Redactor

REDACTOR = Redactor(b"property-salt")
_WORD = st.text(alphabet=string.ascii_letters + string.digits + " +&'-", min_size=1,
                max_size=30).map(str.strip).filter(bool)  # fmt: skip
_ATTR = st.text(alphabet=string.ascii_letters + string.digits + " .-_/:", max_size=40)
_HOST = st.from_regex(r"[a-z]{3,12}\.(com|net|tv|cc)", fullmatch=True)


@st.composite
def channels(draw: st.DrawFn) -> list[dict[str, str]]:
    return draw(st.lists(st.fixed_dictionaries({
        "name": _WORD, "tvg-id": _ATTR, "tvg-logo": _ATTR, "group-title": _ATTR,
        "host": _HOST, "path": st.from_regex(r"[a-z0-9]{1,10}/[0-9]{1,6}\.m3u8", fullmatch=True),
    }), max_size=40))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(channels(), st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_generated_playlists_round_trip(chans: list[dict[str, str]], bom: bool, eol: str) -> None:
    lines = ['#EXTM3U x-tvg-url="http://epg.example.com/guide.xml"']
    for ch in chans:
        attrs = " ".join(f'{k}="{ch[k]}"' for k in ("tvg-id", "tvg-logo", "group-title"))
        lines += [f"#EXTINF:-1 {attrs},{ch['name']}", f"http://{ch['host']}/{ch['path']}"]
    text = ("\ufeff" if bom else "") + eol.join(lines) + eol
    parsed = parse_playlist(text, REDACTOR)
    assert parsed.epg_urls == ("http://epg.example.com/guide.xml",)
    assert len(parsed.channels) == len(chans)
    for got, want in zip(parsed.channels, chans, strict=True):
        assert got.name == want["name"]
        assert got.tvg_id == want["tvg-id"]
        assert got.logo == want["tvg-logo"]
        assert got.stream_host == want["host"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_is_a_playlist_without_raising(text: str) -> None:
    parsed = parse_playlist(text, REDACTOR)
    assert len(parsed.channels) <= text.count("\n") + 1


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=20, max_size=20), st.booleans(), st.text(max_size=60),
       st.lists(_HOST, max_size=4))  # fmt: skip
def test_magnets_round_trip_hex_and_base32(digest: bytes, b32: bool, name: str,
                                           trackers: list[str]) -> None:  # fmt: skip
    from urllib.parse import quote

    xt = base64.b32encode(digest).decode() if b32 else digest.hex().upper()
    uri = f"magnet:?xt=urn:btih:{xt}&dn={quote(name, safe='')}" + "".join(
        f"&tr={quote('udp://' + t + ':1337', safe='')}" for t in trackers)
    magnet = parse_magnet(uri)
    assert magnet is not None
    assert magnet.infohash == digest.hex()
    assert magnet.name == name.strip()
    assert magnet.trackers == tuple(dict.fromkeys(f"udp://{t}:1337" for t in trackers))
    assert [m.infohash for m in find_magnets(f"<a href='{uri}'>x</a> text")] == [digest.hex()]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_magnets_or_nothing(text: str) -> None:
    for magnet in find_magnets(text):
        assert len(magnet.infohash) in (0, 40)


_TITLE = st.lists(st.sampled_from(["Silent", "Harbor", "Glass", "Kingdom", "Blue", "Signal",
                                   "Paper", "Courier", "Midnight", "Orchard", "Wolves"]),
                  min_size=1, max_size=4, unique=True)  # fmt: skip


@settings(max_examples=40, deadline=None)
# A group whose tail spells a tag: guessit alone reads "Jdd" (and DD, Dolby Digital).
@example(["Silent"], 1950, "720p", "WEBRip", "x264", "Jdddd", None)
@given(_TITLE, st.integers(1950, 2030), st.sampled_from(["720p", "1080p", "2160p"]),
       st.sampled_from(["WEBRip", "BluRay", "WEB-DL", "HDTV"]),
       st.sampled_from(["x264", "x265", "H264"]),
       # group names that are not themselves release tokens (E00, VHS, DTS... guessit reads
       # those as what they are): a rare first letter, then lower-case letters
       st.from_regex(r"[QZJKW][a-z]{3,7}", fullmatch=True),
       st.one_of(st.none(), st.tuples(st.integers(1, 30), st.integers(1, 40))))  # fmt: skip
def test_generated_release_names_parse_back(words: list[str], year: int, quality: str,
                                            source: str, codec: str, group: str,
                                            episode: tuple[int, int] | None) -> None:  # fmt: skip
    tag = f"S{episode[0]:02d}E{episode[1]:02d}" if episode else str(year)
    name = f"{'.'.join(words)}.{tag}.{quality}.{source}.{codec}-{group}"
    assert looks_like_release(name)
    release = parse_release(name)
    assert release is not None
    assert release.title == " ".join(words)
    assert release.quality == quality
    assert release.group == group
    if episode:
        assert (release.season, release.episode) == episode
    else:
        assert release.year == year


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_as_a_release_or_none(text: str) -> None:
    looks_like_release(text)
    release = parse_release(text)
    assert release is None or isinstance(release.title, str)
