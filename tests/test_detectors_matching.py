"""The fast paths of the detector stack give the answers of the simple code they replace."""

from __future__ import annotations

import random
import re

import lxml.etree as etree

from detectors.heuristic.links import collect_links
from detectors.heuristic.literals import (
    CandidateScan,
    boundary_scan,
    markup_may_hold,
    may_match,
    may_match_any_case,
    required_literals,
    required_literals_any_case,
    whole_word_length,
    xpath_literals,
)
from detectors.heuristic.segments import segments_matching
from detectors.heuristic.terms import TermIndex
from detectors.text import collapse, decode_body, fold

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


def test_required_literals_are_proven_or_absent() -> None:
    def lits(pattern: str, flags: int = 0) -> list[set[str]]:
        return [set(group) for group in required_literals(re.compile(pattern, flags))]

    assert lits(r"\b(?:sha256|md5)sums?\b") == [{"sha256sum", "md5sum"}]
    assert lits(r"\bchecksums?\b|\bgpg signature\b|verify (?:your|the) download") == [
        {"checksum", "gpg signature", "verify your download", "verify the download"}
    ]
    assert lits(r"\b[\w.+-]{1,80}\.iso\b") == [{".iso"}]
    assert lits(r"(?:서버|링크)\s*[1-9]") == [{"서버", "링크"}]
    assert lits(r"(?:1|2|12)\s*(?:months?|mes)") == [{"month", "mes"}, {"1", "2"}]
    assert lits(r"x?y*") == []  # nothing is required
    assert lits(r"abc|\d+") == []  # one branch has no literal
    assert lits(r"checksum", re.IGNORECASE) == []  # case-insensitive: never skipped
    assert lits(r"a(?i:bc)d") in ([{"a"}, {"d"}], [{"d"}, {"a"}])  # not the (?i:) part


def test_may_match_never_skips_a_pattern_that_matches() -> None:
    rng = random.Random(3)
    patterns = [r"\b(?:server|servidor)\s+\d", r"(?:[$€]|usd)\s?\d{1,4}", r"\.iso\b",
                r"(?:ab)+c", r"(?>xy)z", r"q{2,3}r|s(?:t|u)v", r"(?:e|r)s?(?<=s)t{1,2}",
                r"d(?:a|e){0,2}x\b(?!s)"]  # fmt: skip
    alphabet = "abcdeqrstuvxyz .$€0123456789servidoriso\n"
    for raw in patterns:
        pattern = re.compile(raw)
        literals = required_literals(pattern)
        for _ in range(400):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            if pattern.search(text):
                assert may_match(literals, text), (raw, text)


def test_segments_matching_equals_searching_each_text() -> None:
    tag = re.compile(r"(?<![a-z0-9])(?:1080p|720p|web-dl)(?![a-z0-9])")
    texts = ["dune 1080p", "x1080p", "720p", "", "web-dl 720p a", "no tag", "1080pp", "h 720p"]
    expected = [i for i, text in enumerate(texts) if tag.search(text)]
    assert segments_matching(texts, [tag]) == expected == [0, 2, 4, 7]
    assert segments_matching(["a\n1080p", "720p"], [tag]) == [0, 1]  # a newline: one by one
    assert segments_matching(texts, []) is None


def test_xpath_literal_shortcut_never_hides_a_match() -> None:
    expressions = [
        "//*[contains(@class,'byline') or @rel='author']",
        "//meta[@property='article:published_time' or @name='author']",
    ]
    assert xpath_literals(expressions[0]) == ("byline", "author")
    assert xpath_literals("//time[@datetime]") == xpath_literals("//article") == ()
    assert xpath_literals("//a[contains(@href,'x') and @rel='y']") == ()
    pieces = ['<div class="by', 'line">', '<a rel="auth', 'or">', "&#97;", '<meta name="author">',
              '<p class="x">', "</p>", "<span rel='au&amp;thor'>", " "]  # fmt: skip
    rng = random.Random(5)
    for _ in range(300):
        markup = "<html><body>" + "".join(rng.choice(pieces) for _ in range(6)) + "</body></html>"
        root = etree.fromstring(markup, etree.HTMLParser(recover=True))
        for expression in expressions:
            if root is not None and etree.XPath(expression)(root):
                assert markup_may_hold(xpath_literals(expression), markup), markup


def test_term_index_candidates_by_first_word_and_character() -> None:
    index = TermIndex(
        {
            "en": ["watch free", "watch", "free movies", "hd"],
            "ko": ["무료 다시보기", "다시보기", "토렌트"],
            "pt": ["assistir grátis"],
        }
    )
    text = fold("Watch FREE movies in HD — 무료 다시보기를 보세요; ASSISTIR GRATIS")
    hits = index.search(text)
    # Overlapping phrases all count; Korean matches inside a word; accents fold.
    assert sorted(hit.term.phrase for hit in hits) == sorted(
        ["watch free", "watch", "free movies", "hd", "무료 다시보기", "다시보기", "assistir grátis"]
    )
    # The same answer with the words and characters given, or a text holding none of them.
    words = frozenset(re.findall(r"[^\W_]+", text))
    assert index.search(text, words=words, chars=frozenset(text)) == hits
    assert index.search(fold("nothing to see, 다른 보기")) == []
    assert [h.term.phrase for h in index.search("hdd watchfree hd")] == ["hd"]


def test_boundary_scan_finds_what_finditer_finds() -> None:
    sources = [
        r"\b(?:server|servidor|player)\s*(?:#|no\.?\s*)?0?[1-9]\d?\b",
        r"\b(?:1|2|12)\s*(?:months?|mo)\b",
        r"\b(?P<n>\d{1,3})\s*(?P<k>k)\s*(?:vod|movies)",  # not literal-led: left as it is
        r"\bx(?P<n>\d+)\b",
    ]
    rng = random.Random(9)
    alphabet = ["server", "multiplayer", "player", " ", "1", "2", "12", "no.", "#", "x", "months",
                "mo", "k", "vod", "_", "é"]  # fmt: skip
    for source in sources:
        pattern = re.compile(source)
        scan = boundary_scan(pattern)
        assert isinstance(scan, CandidateScan) == ("(?P<n>\\d{1,3})" not in source)
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
            for window in ((0, len(text)), (1, max(1, len(text) - 2))):
                expected = [(m.span(), m.groups()) for m in pattern.finditer(text, *window)]
                got = [(m.span(), m.groups()) for m in scan.finditer(text, *window)]
                assert got == expected, (source, text, window)


def test_decode_body_drops_control_characters_on_every_path() -> None:
    controls = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    rng = random.Random(4)
    pieces = [b"a", b"\xc3\xa9", b"\x01", b"\x7f", b"\t\n", b"\xc3", b"\xe2\x82", b"\x00", b" "]
    for _ in range(500):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        for content_type in ("text/html; charset=utf-8", ""):
            text = decode_body(body, content_type)
            assert not controls.search(text)
            if content_type:  # declared UTF-8: exactly the decoded text without controls
                assert text == controls.sub("", body.decode("utf-8", errors="replace"))
    utf16 = "a\x01b".encode("utf-16")
    assert decode_body(utf16) == "ab"


def test_inline_url_scan_finds_what_findall_finds() -> None:
    from detectors.heuristic import links

    rng = random.Random(2)
    pieces = ["http:", "https:", "//", "/", "magnet:?", "xt=1", "a.b", " ", '"', ":80", "h", "\n"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        found = [m.group(0) for m in links._INLINE_SCAN.finditer(text)]
        assert found == links._INLINE_URL.findall(text), text


def test_any_case_literals_never_skip_a_case_insensitive_match() -> None:
    rng = random.Random(8)
    sources = [r"pop-?under|PopAds|[kx]lick", r"(?:get|panel_api)\.php\?[^#\s]*username=",
               r"/(?:live|movie)/\d+", r"\bServer\s+\d"]  # fmt: skip
    alphabet = ["pop", "POP", "under", "-", "Ads", "k", "K", "lick", "get", ".php?", "USERNAME=",
                "/live/", "/Movie/", "1", " ", "server", "é"]  # fmt: skip
    for source in sources:
        pattern = re.compile(source, re.IGNORECASE)
        literals = required_literals_any_case(pattern)
        assert literals
        for _ in range(400):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
            if pattern.search(text):
                assert may_match_any_case(literals, text), (source, text)


def test_grouped_tag_alternation_matches_like_the_plain_one() -> None:
    from detectors.title import release

    plain = "|".join(release._TAG_ALTERNATIVES)
    for flags in (0, re.IGNORECASE):
        grouped = re.compile(release._TAG_PATTERN, flags)
        ungrouped = re.compile(rf"(?<![a-z0-9])(?:{plain})(?![a-z0-9])", flags)
        rng = random.Random(flags)
        words = ["1080p", "10BIT", "blu-ray", "BluRay", "h.264", "ddp5.1", "dd5.1", "aac2.0",
                 "dual audio", "Dual-Audio", "x", "é", "_", " ", ".", "4k", "bdremux"]  # fmt: skip
        for _ in range(1500):
            text = "".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
            expected = [(m.span(), m.group(0)) for m in ungrouped.finditer(text)]
            assert [(m.span(), m.group(0)) for m in grouped.finditer(text)] == expected, text


def test_whole_word_patterns_need_a_word_that_long() -> None:
    assert whole_word_length(re.compile(r"\b[0-9a-f]{64}\b")) == 64
    assert whole_word_length(re.compile(r"\b[a-z_]{5}\b")) == 0  # "_" is no letter or digit
    assert whole_word_length(re.compile(r"[0-9a-f]{8}")) == 0  # no boundaries: any run
    pattern = re.compile(r"\b[0-9a-f]{4,6}\b")
    rng = random.Random(6)
    for _ in range(500):
        text = "".join(rng.choice("abf019 _-é") for _ in range(rng.randint(0, 16)))
        longest = max((len(word) for word in re.findall(r"[^\W_]+", text)), default=0)
        if pattern.search(text):
            assert longest >= whole_word_length(pattern), text


def test_tag_scan_finds_the_segments_the_tag_pattern_finds() -> None:
    from detectors.heuristic.segments import _tag_pattern, _tag_scan

    tags = ["480p", "720p", "1080p", "1080i", "web-dl"]
    pattern, scan = _tag_pattern(tags), _tag_scan(tags)
    assert isinstance(scan, CandidateScan)
    rng = random.Random(12)
    words = ["1080p", "x1080p", "720P", "720p", "web-dl", "aweb-dl", "_", "é", " ", "1080i", "p"]
    texts = ["".join(rng.choice(words) for _ in range(rng.randint(0, 6))) for _ in range(300)]
    texts = [fold(text) for text in texts]
    assert segments_matching(texts, [scan]) == segments_matching(texts, [pattern])
    assert segments_matching(texts, [scan]) == [i for i, t in enumerate(texts) if pattern.search(t)]
