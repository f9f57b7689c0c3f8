"""The fast paths of the detector stack give the answers of the simple code they replace."""

from __future__ import annotations

import random
import re

from detectors.heuristic.links import collect_links
from detectors.text import collapse, fold

_SAMPLES = (
    "Assistir GRÁTIS Dublado",  # Latin-1: byte-table path
    # Greek capitals with a sigma: str.lower() would write a final sigma, fold never does.
    "\u039f\u0394\u039f\u03a3 \u039a\u0391\u0399 \u039f\u0394\u039f\u03a3",
    "µ-Torrent ÉTÉ",  # "µ" folds outside Latin-1 ("μ")
    "무료 다시보기 FULL HD",  # Hangul + ASCII: plain lower()
    # Multi-character lower cases, ligatures, fullwidth letters.
    "İstanbul Straße ǅ ﬁlm \uff26\uff55\uff4c\uff4c",
    "",
)


def _fold_by_char(text: str) -> str:
    return "".join(fold(char) for char in text)


def test_fold_of_a_text_is_the_fold_of_each_character() -> None:
    for text in _SAMPLES:
        assert fold(text) == _fold_by_char(text), text
        assert len(fold(text)) == len(text)
    # Not a final sigma at the end: folding is one character for one.
    assert fold("\u039f\u0394\u039f\u03a3") == "\u03bf\u03b4\u03bf\u03c3"
    assert fold("Éµ") == "eμ"
    rng = random.Random(7)
    alphabet = [chr(code) for code in range(0x2500) if not 0xD800 <= code < 0xE000]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert fold(text) == _fold_by_char(text), repr(text)


def test_collapse_matches_the_whitespace_regex() -> None:
    spaces = re.compile(r"\s+")
    for text in ("  a \t b\n\nc  ", "\u00a0x\u2003y\u3000", "\x1cz\x1f", "", "   "):
        assert collapse(text) == spaces.sub(" ", text).strip()


def test_links_are_distinct_per_source_in_page_order() -> None:
    markup = (
        '<a href="https://dood.watch/e/1">1</a><div data-src="//cdn.example/v.m3u8">'
        '<A HREF="https://dood.watch/e/1">again</A><img src="/p.jpg" data-x="not a url">'
        "<iframe src='https://embed.example/x?a=1&amp;b=2'></iframe><span data-u=magnet:?dn=X>"
    )
    links = collect_links(
        markup, "var u='https:\\/\\/js.example\\/p.js'", "see http://t.example", "site.test"
    )
    assert [(link.source, link.url, link.host) for link in links] == [
        ("a", "https://dood.watch/e/1", "dood.watch"),
        ("data", "//cdn.example/v.m3u8", "cdn.example"),
        ("img", "/p.jpg", "site.test"),
        ("iframe", "https://embed.example/x?a=1&b=2", "embed.example"),
        ("data", "magnet:?dn=X", ""),
        ("inline", "https://js.example/p.js", "js.example"),
        ("text", "http://t.example", "t.example"),
    ]
