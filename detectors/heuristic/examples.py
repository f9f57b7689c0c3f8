"""Tiny positive/negative samples per built-in detector (returned by ``get_examples()``).

They document what each detector is for and the contract test runs every detector on its own.
They are samples, not rules: the vocabulary the detectors use lives in ``config/``.
"""

from __future__ import annotations

from detectors.base import Content, Example


def _html(url: str, body: str) -> Content:
    return Content(url=url, kind="html", body=body.encode("utf-8"), content_type="text/html")


_M3U_PIRATE = """#EXTM3U
#EXTINF:-1 tvg-id="skysports1.uk" group-title="UK | SPORTS VIP",Sky Sports Main Event FHD
http://line.example-iptv.cc:8080/live/jdoe42/Xk9pQ2/10234.ts
#EXTINF:-1 group-title="UK | SPORTS VIP",BT Sport 1 HD
http://line.example-iptv.cc:8080/live/jdoe42/Xk9pQ2/10235.ts
#EXTINF:-1 group-title="PPV EVENTS",PPV 01 UFC
http://line.example-iptv.cc:8080/live/jdoe42/Xk9pQ2/10901.ts
#EXTINF:-1 group-title="FR | CINEMA",Canal+ Cinema FHD
http://line.example-iptv.cc:8080/live/jdoe42/Xk9pQ2/20011.ts
"""

_HLS_MANIFEST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:10
#EXT-X-MEDIA-SEQUENCE:1
#EXTINF:10.0,
segment1.ts
#EXTINF:10.0,
segment2.ts
#EXT-X-ENDLIST
"""

_PANEL = (
    '{"user_info":{"username":"jdoe42","password":"Xk9pQ2","message":"","auth":1,'
    '"status":"Active","exp_date":"1767139200","is_trial":"0","active_cons":"0",'
    '"max_connections":"2","allowed_output_formats":["m3u8","ts"]},'
    '"server_info":{"url":"line.example-iptv.cc","port":"8080","https_port":"8443",'
    '"server_protocol":"http","rtmp_port":"8880","timezone":"Europe/London"}}'
)

_EXAMPLES: dict[str, list[Example]] = {
    "page_vocabulary": [
        Example(
            _html(
                "https://films-vf.example/film/dune",
                "<html><head><title>Dune 2 streaming VF - regarder gratuitement</title></head>"
                "<body><h1>Regarder Dune 2 film complet en streaming VF et VOSTFR</h1></body>"
                "</html>",
            ),
            True,
            "French streaming portal wording",
        ),
        Example(
            _html(
                "https://recipes.example/soup",
                "<html><body><h1>Leek and potato soup</h1><p>Serves four.</p></body></html>",
            ),
            False,
            "a recipe",
        ),
    ],
    "page_structure": [
        Example(
            _html(
                "https://tracker.example/browse",
                "<html><body><table>"
                '<tr><td>Movie.2023.1080p.WEBRip.x264-GRP</td><td><a href="magnet:?xt=urn:btih:'
                'aaaabbbbccccddddeeeeffff0000111122223333&dn=Movie.2023.1080p.WEBRip.x264-GRP">'
                "magnet</a></td></tr>"
                '<tr><td>Show.S01E02.720p.HDTV.x265-TEAM</td><td><a href="magnet:?xt=urn:btih:'
                '1111bbbbccccddddeeeeffff0000111122223333&dn=Show.S01E02.720p.HDTV.x265-TEAM">'
                "magnet</a></td></tr></table></body></html>",
            ),
            True,
            "magnet links with scene release names",
        ),
        Example(
            _html(
                "https://bakery.example/",
                '<html><body><a href="/menu">Menu</a><a href="/contact">Contact</a></body></html>',
            ),
            False,
            "a shop with internal links only",
        ),
    ],
    "page_money": [
        Example(
            _html(
                "https://best-iptv.example/",
                "<html><body><h1>Best IPTV subscription</h1><p>22,000 live channels, 80,000 VOD,"
                " anti-freeze technology. Works on MAG, Firestick, Smart TV.</p>"
                "<ul><li>1 month 12.99€</li><li>3 months 29.99€</li><li>12 months 59.99€</li>"
                "</ul></body></html>",
            ),
            True,
            "IPTV reseller plans",
        ),
        Example(
            _html(
                "https://library.example/about",
                "<html><body><h1>About the library</h1><p>Open Monday to Friday.</p></body></html>",
            ),
            False,
            "a library page",
        ),
    ],
    "page_counter": [
        Example(
            _html(
                "https://news.example/2024/05/piracy-raid",
                '<html><head><script type="application/ld+json">{"@context":"https://schema.org",'
                '"@type":"NewsArticle","headline":"Police dismantle illegal IPTV network"}'
                '</script></head><body><article><p class="byline">By A. Reporter</p>'
                "<p>Police arrested five people on Tuesday in a crackdown on illegal streaming;"
                " the court ordered the servers seized.</p></article></body></html>",
            ),
            True,
            "news article about a crackdown",
        ),
        Example(
            _html(
                "https://bakery.example/",
                "<html><body><h1>Fresh bread daily</h1></body></html>",
            ),
            False,
            "no reason to argue either way",
        ),
    ],
    "playlist_iptv": [
        Example(
            Content("http://line.example-iptv.cc/get.php", "playlist", _M3U_PIRATE.encode()),
            True,
            "Xtream playlist of premium channels",
        ),
        Example(
            Content("https://cdn.example/vod/master.m3u8", "playlist", _HLS_MANIFEST.encode()),
            False,
            "an HLS video manifest is not a channel list",
        ),
    ],
    "panel_xtream": [
        Example(
            Content("http://line.example-iptv.cc:8080/player_api.php", "panel", _PANEL.encode()),
            True,
            "Xtream player_api answer",
        ),
        Example(
            Content(
                "https://api.example/status", "panel", b'{"status":"ok","version":"1.4.2"}'
            ),
            False,
            "an unrelated JSON status",
        ),
    ],
}


def for_detector(name: str) -> list[Example]:
    """Examples of the built-in detector ``name`` (empty for unknown names)."""
    return list(_EXAMPLES.get(name, []))
