"""The detector stack's C fast paths give the answers of the plain paths they replace.

Each fast path (byte-table folding and word splitting, element-name prechecks of XPath
rules, the XSLT text walk, the tag-filtered link scan, scene-tag candidate scans) is
compared with the straightforward computation on random and hostile input.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

import lxml.etree as etree
import pytest

from detectors.heuristic.literals import lowered_literals, markup_lower_may_hold, markup_may_hold
from detectors.heuristic.xpath_tags import has_element, markup_may_have_tag, tag_need
from detectors.text import _fold_cached, fold, words_of

_ALPHABET = (
    [chr(code) for code in range(0x250)]
    + list("ÀÉÎõñçµß²³¹¼½ΣσςİıﬁŉÅ무료다시보기 \n\t_-.,")
    + ["\u0301", "\u00a0", "\u2028", "\U0001f600", "\ufffd"]
)


def _random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(size))


def _fold_reference(text: str) -> str:
    """fold as one per-character table (what every fast path must agree with)."""
    if text.isascii():
        return text.lower()
    table = {ord(char): _fold_cached(char) for char in set(text)}
    folded = text.translate(table)
    plain = all(
        _fold_cached(char) == char.lower() and char != "\u03a3" for char in set(text)
    )
    return text.lower() if plain else folded


@pytest.mark.parametrize("seed", range(4))
def test_words_of_is_the_regex_split(seed: int) -> None:
    rng = random.Random(seed)
    pattern = re.compile(r"[^\W_]+")
    for _ in range(500):
        text = _random_text(rng, rng.randrange(0, 80))
        assert words_of(text) == pattern.findall(text)
        text = "".join(chr(rng.randrange(256)) for _ in range(rng.randrange(0, 80)))
        assert words_of(text) == pattern.findall(text)  # the byte-table path
    latin = "".join(chr(code) for code in range(256)) * 3
    assert words_of(latin) == pattern.findall(latin)


@pytest.mark.parametrize("seed", range(4))
def test_fold_fast_paths_match_the_per_character_table(seed: int) -> None:
    rng = random.Random(100 + seed)
    latin1 = [chr(code) for code in range(256)]
    for _ in range(500):
        text = _random_text(rng, rng.randrange(0, 80))
        assert fold(text) == _fold_reference(text), repr(text)
        text = "".join(rng.choice(latin1) for _ in range(rng.randrange(0, 80)))
        assert fold(text) == _fold_reference(text), repr(text)  # the byte-table path
    latin = "".join(chr(code) for code in range(256))
    assert fold(latin) == _fold_reference(latin)
    assert len(fold(latin)) == len(latin)
    assert fold("ASSISTIR GRÁTIS µ") == "assistir gratis μ"
    assert fold("Ação") == "acao" and unicodedata.is_normalized("NFC", fold("Ação"))


_SHAPES = {
    "//article": ("article", True),
    "//time[@datetime]": ("time", False),
    "//meta[@property='a[b]' or @name=\"x]\"]": ("meta", False),
    "count(//article) >= 3": ("article", False),
    "count(//article) > 0": ("article", False),
}
_NOT_SHAPES = ["//*[@rel='author']", "//a | //b", "//a[1]/b", "//a[x]/b[y]", "count(//a) >= 0",
               "string(//a)", "//a[", "//a = 'x'", "//svg:rect", "boolean(//a)"]  # fmt: skip


def test_tag_need_reads_only_shapes_it_can_prove() -> None:
    for expression, (tag, exact) in _SHAPES.items():
        need = tag_need(expression)
        assert need is not None and (need.tag, need.exact) == (tag, exact), expression
    for expression in _NOT_SHAPES:
        assert tag_need(expression) is None, expression


_TAGS = ["article", "time", "meta", "div", "a", "span", "p", "b", "ARTICLE", "Time", "table",
         "tr", "td", "li", "ul", "option", "select", "frameset", "head", "title", "html"]


def _random_tree(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(0, 30)):
        tag = rng.choice(_TAGS)
        attrs = rng.choice(["", " datetime=1", " class='byline'", " name=author", " x"])
        parts.append(f"<{tag}{attrs}>{rng.choice(['t', '', 'ü'])}" + rng.choice(["", f"</{tag}>"]))
    return "".join(parts)


def test_tag_need_agrees_with_libxml2_xpath() -> None:
    rng = random.Random(7)
    parser = etree.HTMLParser(recover=True, no_network=True)
    expressions = [*_SHAPES, "//div[@class='byline']", "//a[contains(@class,'x')][1]",
                   "count(//time) > 1", "//p", "//tbody", "//body", "//td", "//li"]  # fmt: skip
    for _ in range(600):
        markup = _random_tree(rng) or "<p>x</p>"
        root = etree.fromstring(markup, parser)
        if root is None:
            continue
        for expression in expressions:
            need = tag_need(expression)
            assert need is not None
            result = etree.XPath(expression)(root)
            found = bool(result) if not isinstance(result, list) else len(result) > 0
            present = has_element(root, need.tag)
            assert markup_may_have_tag(markup.encode().lower(), need.tag) or not present, markup
            if not present:
                assert not found, (expression, markup)
            if need.exact:
                assert found == present, (expression, markup)


def test_markup_checks_on_lowered_utf8_never_say_no_where_the_text_check_says_yes() -> None:
    rng = random.Random(11)
    literals_pool = ["byline", "author", "Author", "datePublished", "dé", "무료", "&#", "x"]
    for _ in range(2000):
        markup = _random_text(rng, rng.randrange(0, 40)) + rng.choice([*literals_pool, ""])
        markup += _random_text(rng, rng.randrange(0, 10))
        literals = tuple(rng.sample(literals_pool, rng.randrange(0, 3)))
        lowered = markup.encode("utf-8", "surrogatepass").lower()
        if markup_may_hold(literals, markup):
            assert markup_lower_may_hold(lowered_literals(literals), lowered), (markup, literals)
    assert not markup_lower_may_hold(lowered_literals(("byline",)), b"<div class=author>")


def test_texts_with_match_is_every_finditer_match_mapped_to_its_text() -> None:
    from bisect import bisect_right

    from detectors.heuristic.segments import _tag_scan
    from detectors.text import joined_lines, texts_with_match
    from detectors.title.release import _TAGS_FOLDED

    rng = random.Random(5)
    words = ["1080p", "x264", "web-dl", "webdl", "a", "b1080p", "2160p", "hevc", "-", ".", " "]
    scan = _tag_scan(["1080p", "x264", "web-dl"])
    for _ in range(400):
        texts = ["".join(rng.choice(words) for _ in range(rng.randrange(0, 6)))
                 for _ in range(rng.randrange(0, 8))]  # fmt: skip
        joined, starts = joined_lines(texts)
        for pattern in (_TAGS_FOLDED, scan):
            mapped = {bisect_right(starts, m.start()) - 1 for m in pattern.finditer(joined)}
            expected = sorted(mapped)
            assert texts_with_match(pattern, joined, starts) == expected, texts


def test_catalog_scan_positions_are_the_plain_loop() -> None:
    from detectors.title.catalog import _positions

    rng = random.Random(9)
    vocabulary = ["the", "dune", "part", "two", "a", "x", "the2"]
    for _ in range(500):
        words = [rng.choice(vocabulary) for _ in range(rng.randrange(0, 40))]
        starts = frozenset(rng.sample(vocabulary, rng.randrange(0, 7)))
        expected = [i for i, word in enumerate(words) if word in starts]
        assert _positions(words, starts) == expected


def test_phrase_automaton_gives_the_find_loop_hits() -> None:
    from detectors.heuristic.phrases import PHRASES
    from detectors.heuristic.terms import TermIndex

    terms = {
        "en": ["watch free", "free", "watch", "a b", "100% free", "ee", "free movies"],
        "ko": ["무료", "무료 보기", "보기"],
        "fr": ["regarder gratuit", "gratuit"],
    }
    index = TermIndex(terms, shared=True)
    rng = random.Random(21)
    pieces = ["watch", "free", " ", "  ", "freee", "100%", "무료", "보기", "a", "b", "-", "é",
              "regarder", "gratuit", "gratuite", "movies", "x1", "\n"]  # fmt: skip
    for _ in range(800):
        text = fold("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))))
        expected = index.search(text, max_count=3)
        positions = PHRASES.positions(text)
        assert positions is not None
        found = index.search_in(text, positions, max_count=3)
        assert [(h.term.folded, h.start, h.end, h.count) for h in found] == [
            (h.term.folded, h.start, h.end, h.count) for h in expected
        ], text


def test_collapse_each_is_collapse_per_text() -> None:
    from detectors.text import collapse, collapse_each

    rng = random.Random(13)
    pieces = ["a", "bb", " ", "  ", "\n", "\t", "\xa0", "\u2028", "\x1c", "é", "무료", "\0", ""]
    for _ in range(1500):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 8)))
                 for _ in range(rng.randrange(0, 6))]  # fmt: skip
        limit = rng.choice([1, 3, 300])
        assert collapse_each(texts, limit) == [collapse(t)[:limit] for t in texts], texts


def _urls_reference(check: Any, facts: Any) -> tuple[int, tuple[str, ...]]:
    """The per-link loop the host-grouped URL check replaced."""
    from detectors.heuristic.hosts import HostSet, site_of
    from detectors.text import shorten

    include, exclude = HostSet(check.hosts), HostSet(check.exclude_hosts)
    pattern = re.compile(check.pattern, re.IGNORECASE) if check.pattern else None
    sources = frozenset(check.sources) if check.sources else None
    matched: dict[str, str] = {}
    considered = 0
    for link in facts.links_from(sources):
        if exclude and exclude.match(link.host):
            continue
        if check.third_party and (not link.host or site_of(link.host) == site_of(facts.host)):
            continue
        considered += 1
        entry = include.match(link.host) if include else None
        if include and entry is None:
            continue
        if pattern is not None and not pattern.search(link.url):
            continue
        matched.setdefault(link.url, f"{f'{entry}: ' if entry else ''}{shorten(link.url, 110)}")
    if check.exclusive and len(matched) < considered:
        return 0, ()
    return len(matched), tuple(matched.values())


def test_url_checks_decided_per_host_match_the_per_link_loop() -> None:
    from detectors.base import Content
    from detectors.heuristic.html_facts import extract
    from detectors.heuristic.page_checks import build_check

    rng = random.Random(17)
    hosts = ["dood.to", "www.dood.watch", "site.example", "cdn.site.example", "youtube.com",
             "x.co.uk", "", "streamtape.com"]  # fmt: skip
    checks: list[dict[str, Any]] = [
        {"type": "urls", "hosts": ["dood.*", "streamtape.com"]},
        {"type": "urls", "sources": ["iframe"], "hosts": ["youtube.com"], "exclusive": True},
        {"type": "urls", "third_party": True, "pattern": r"/e/\d"},
        {"type": "urls", "exclude_hosts": ["youtube.com"], "sources": ["a", "iframe"]},
        {"type": "urls", "pattern": "embed", "hosts": ["site.example"], "third_party": True},
    ]
    built = [build_check(raw) for raw in checks]
    for _ in range(150):
        tags = []
        for _ in range(rng.randrange(0, 12)):
            host = rng.choice(hosts)
            url = (f"https://{host}" if host else "") + rng.choice(["/e/1", "/embed/x", "/p"])
            tags.append(f'<{rng.choice(["a href", "iframe src"])}="{url}">x</a>')
        body = ("<html><body>" + "".join(tags) + "</body></html>").encode()
        facts = extract(Content("https://site.example/p", "html", body), 400_000)
        for (check, matcher), raw in zip(built, checks, strict=True):
            hit = matcher(facts)
            assert (hit.count, hit.examples) == _urls_reference(check, facts), (raw, body)


def test_magnet_name_is_parse_qs_first_dn() -> None:
    from urllib.parse import parse_qs

    from detectors.heuristic.links import magnet_name

    rng = random.Random(19)
    parts = ["dn", "d%6E", "d%6e", "DN", "d+n", "=", "&", "xt", "urn:btih:ab", "Dune.2024",
             "%", "%E2%82", "%C3%A9", "+", "", "tr", "udp://x", "dn=", "&&", "é"]  # fmt: skip
    for _ in range(3000):
        query = "".join(rng.choice(parts) for _ in range(rng.randrange(0, 12)))
        expected = parse_qs(query).get("dn", [None])[0]
        assert magnet_name(query) == expected, query


def test_phrase_rules_fall_back_to_find_past_the_occurrence_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from detectors.base import Content
    from detectors.heuristic import phrases
    from detectors.heuristic.html_facts import extract
    from detectors.heuristic.page_checks import build_check

    _, matcher = build_check({"type": "terms", "terms": {"en": ["watch free", "free"]}})
    body = b"<p>" + b"watch free freedom free-ish watch  free " * 300 + b"</p>"
    content = Content("https://x.example/p", "html", body)
    automaton_hit = matcher(extract(content, 400_000))
    monkeypatch.setattr(phrases, "MAX_OCCURRENCES", 10)
    facts = extract(content, 400_000)
    assert facts.phrase_positions() is None
    fallback_hit = matcher(facts)
    assert automaton_hit == fallback_hit and automaton_hit.count == 2
