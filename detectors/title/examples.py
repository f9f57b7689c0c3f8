"""Positive and negative samples of the title matcher (``get_examples()``, contract-tested).

They use the sample catalog in ``config/catalog/``; the negatives are the classic traps: a
same-named film of another year, a sequel number that differs, a common word that is also a
title, and a legal free-to-air channel list.
"""

from __future__ import annotations

from detectors.base import Content, Example


def _html(url: str, body: str) -> Content:
    return Content(url, "html", body.encode("utf-8"), "text/html; charset=utf-8")


EXAMPLES = [
    Example(
        _html(
            "https://rls.example/",
            "<html><head><title>Latest releases</title></head><body><ul>"
            "<li><a href='/t/1'>Oppenheimer.2023.1080p.BluRay.x264-GROUP</a></li>"
            "<li><a href='/t/2'>Dune.Part.Two.2024.2160p.WEB-DL.DDP5.1.HEVC-FLUX</a></li>"
            "</ul></body></html>",
        ),
        True,
        "releases of two catalog films",
    ),
    Example(
        _html(
            "https://watch.example/film/oppenheimer",
            "<html><head><title>Oppenheimer (2023) - Watch online HD</title></head>"
            "<body><h1>Oppenheimer (2023)</h1></body></html>",
        ),
        True,
        "a catalog film named in the title and heading",
    ),
    Example(
        Content(
            "http://line.example:8080/get.php",
            "playlist",
            b"#EXTM3U\n#EXTINF:-1 group-title=\"UK SPORTS\",UK: SKY SPORTS MAIN EVENT FHD\n"
            b"http://line.example:8080/live/u/p/1.ts\n"
            b"#EXTINF:-1,|FR| CANAL+ SPORT HEVC\nhttp://line.example:8080/live/u/p/2.ts\n",
        ),
        True,
        "pay-TV channels of the catalog under pirate spellings",
    ),
    Example(
        Content("file:///x.torrent", "listing", b"Some.Film.2011.720p.BluRay.x264-GRP.mkv\n"),
        True,
        "a listing naming a scene release (whatever the work)",
    ),
    Example(
        _html(
            "https://archive.example/parasite-1982",
            "<html><head><title>Parasite (1982) - Classic horror review</title></head>"
            "<body><h1>Parasite (1982)</h1><p>Release: Parasite.1982.DVDRip.XviD</p></body>"
            "</html>",
        ),
        False,
        "same-named film of another year, not the protected 2019 one",
    ),
    Example(
        _html(
            "https://shop.example/dolls",
            "<html><head><title>Barbie dolls and Elite toys</title></head>"
            "<body><h1>Barbie</h1><p>Our elite collection of dolls.</p></body></html>",
        ),
        False,
        "ambiguous titles used as ordinary words",
    ),
    Example(
        _html(
            "https://films.example/inside-out",
            "<html><head><title>Inside Out (2015)</title></head><body><h1>Inside Out</h1>"
            "</body></html>",
        ),
        False,
        "the first film, not the protected sequel: numbers must agree",
    ),
    Example(
        Content(
            "https://fta.example/list.m3u",
            "playlist",
            b"#EXTM3U\n#EXTINF:-1,BBC One HD\nhttps://cdn.example/bbc1.m3u8\n"
            b"#EXTINF:-1,France 2\nhttps://cdn.example/fr2.m3u8\n",
        ),
        False,
        "free-to-air channels are not in the protected catalog",
    ),
]
