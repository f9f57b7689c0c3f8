"""detectors.text and the matching helpers: folding, phrases, hosts."""

from __future__ import annotations

from detectors.heuristic.hosts import HostSet, site_of, url_host
from detectors.heuristic.terms import TermIndex
from detectors.text import collapse, decode_body, fold, shorten, snippet


def test_fold_is_lowercase_unaccented_and_length_preserving() -> None:
    fullwidth = "\uff26\uff55\uff4c\uff4c \uff28\uff24"  # "Full HD" in fullwidth forms
    for text in ("Assistir GRÁTIS", "Télécharger", fullwidth, "İstanbul", "무료 다시보기", "ß"):
        assert len(fold(text)) == len(text)
    assert fold("Assistir GRÁTIS Dublado") == "assistir gratis dublado"
    assert fold("Télécharger") == "telecharger"
    assert fold("무료 다시보기") == "무료 다시보기"  # Hangul is not decomposed


def test_decode_body_falls_back_to_legacy_codecs() -> None:
    assert decode_body("café crème".encode("cp1252")) == "café crème"
    korean = "<p>무료 다시보기 토렌트</p>"
    assert decode_body(korean.encode("euc-kr")) == korean
    assert decode_body(b"a\x00b\x07c") == "abc"


def test_term_index_respects_latin_word_boundaries() -> None:
    index = TermIndex({"es": ["ver gratis"], "fr": ["vf"]})
    hits = index.search(fold("Películas: VER GRÁTIS hoy"))
    assert [h.term.phrase for h in hits] == ["ver gratis"]
    assert index.search("reverb gratistest") == []
    assert index.search("verdict vfx") == []
    assert [h.term.lang for h in index.search("film en vf.")] == ["fr"]


def test_term_index_matches_korean_inside_words() -> None:
    index = TermIndex({"ko": ["무료 다시보기", "토렌트"]})
    hits = index.search(fold("눈물의 여왕 무료 다시보기를 토렌트로"))
    assert sorted(h.term.phrase for h in hits) == ["무료 다시보기", "토렌트"]


def test_term_index_counts_and_dedupes() -> None:
    index = TermIndex({"en": ["watch free", "Watch Free"], "any": ["watch free"]})
    assert len(index) == 1
    (hit,) = index.search("watch free, watch free, watch free")
    assert hit.count == 3 and hit.start == 0


def test_hosts_match_subdomains_and_any_tld() -> None:
    hosts = HostSet(["streamtape.com", "dood.*", "www.rapidgator.net"])
    assert hosts.match("cdn.streamtape.com") == "streamtape.com"
    assert hosts.match("dood.watch") == "dood.*"
    assert hosts.match("dood.co.uk") == "dood.*"
    assert hosts.match("rapidgator.net") == "rapidgator.net"
    assert hosts.match("notstreamtape.com") is None
    assert hosts.match("") is None


def test_url_host_handles_relative_magnets_and_junk() -> None:
    assert url_host("//Cdn.Example.com:8080/x") == "cdn.example.com"
    assert url_host("/relative", "page.example") == "page.example"
    assert url_host("magnet:?xt=urn:btih:x", "page.example") == ""
    assert url_host("http://[broken/") == ""


def test_site_of_is_an_approximate_registered_domain() -> None:
    assert site_of("www.bbc.co.uk") == "bbc.co.uk"
    assert site_of("player.news.example.com") == "example.com"


def test_snippet_and_shorten() -> None:
    text = "a" * 100 + " needle " + "b" * 100
    quoted = snippet(text, 101, 107, context=5)
    assert quoted.startswith("…") and "needle" in quoted and quoted.endswith("…")
    assert shorten("x" * 50, 10) == "x" * 9 + "…"
    assert collapse(" a \n\t b ") == "a b"
