"""Identifiers, wallets and redirect proofs read from page text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.linking.identifiers import Identifier, extract_identifiers, panel_hosts
from crawler.linking.redirects import chain_proofs, page_redirects
from crawler.linking.wallets import eip55_valid, find_wallets, keccak256

# Public test vectors: the genesis and BIP-13/173 examples, EIP-55's examples, Tron's USDT
# contract address, the Monero general fund's donation address.
BTC = ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
       "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"]
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TRX = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
XMR = ("44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn"
       "3RVGQBEP3A")


def test_keccak_is_not_sha3() -> None:
    assert keccak256(b"").hex() == ("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad80"
                                    "45d85a470")
    assert eip55_valid(ETH) and not eip55_valid(ETH[:-1] + "D")


def test_valid_wallets_are_found_with_their_kind() -> None:
    text = f"Donate BTC {' '.join(BTC)} / ETH {ETH} / USDT-TRC20 {TRX} / XMR {XMR}"
    assert find_wallets(text) == [("btc", a) for a in BTC] + [
        ("eth", ETH.lower()), ("trx", TRX), ("xmr", XMR)]


@pytest.mark.parametrize("fake", [
    BTC[0][:-1] + "b",  # base58check fails
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # bech32 checksum fails
    ETH[:-1] + "D",  # EIP-55 fails
    TRX[:-1] + "u",
    XMR[:-1] + "B",
    "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae",  # a bare lower-case hash, no wallet words
])
def test_lookalikes_are_rejected(fake: str) -> None:
    assert find_wallets(f"id={fake} here") == []


def test_lower_case_eth_address_counts_next_to_wallet_words() -> None:
    assert find_wallets(f"Send USDT (ERC20) to {ETH.lower()}") == [("eth", ETH.lower())]


PAGE = """<html><head>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>
<script>gtag('config', 'G-AB12CD34EF'); ga('create', 'UA-1234567-3');</script>
<script>(function(w,d,s,l,i){})(window,document,'script','dataLayer','GTM-K9XQ2B');</script>
<ins class="adsbygoogle" data-ad-client="ca-pub-1234567890123456"></ins>
<script>ym(86526009, "init", {});</script>
<script src="//c.adsterra.com/zone=889911/invoke.js"></script>
</head><body>
<a href="https://t.me/flixhop_official">Telegram</a> <a href="https://t.me/share/url?u=x">s</a>
<a href="https://t.me/+AbCdEfGhIjKlMn">join</a> <a href="https://discord.gg/flixhop">Discord</a>
<a href="mailto:DMCA@flixhop.to">DMCA</a> contact: admin [at] flixhop [dot] cc
<img src="logo@2x.png"> placeholder you@example.com
<pre>http://line.flixpanel.cc:8080/get.php?username=u&amp;password=p&amp;type=m3u_plus</pre>
G-NOTATAG UA-12 GTM-
</body></html>"""


def test_page_identifiers() -> None:
    found = set(extract_identifiers(PAGE, "http://flixhop.to/"))
    assert found == {
        Identifier("ga4", "G-AB12CD34EF"), Identifier("ga_ua", "UA-1234567"),
        Identifier("gtm", "GTM-K9XQ2B"), Identifier("adsense", "pub-1234567890123456"),
        Identifier("yandex_metrika", "86526009"),
        Identifier("ad_publisher", "adsterra.com:889911"),
        Identifier("telegram", "flixhop_official"),
        Identifier("telegram_invite", "AbCdEfGhIjKlMn"), Identifier("discord", "flixhop"),
        Identifier("email", "dmca@flixhop.to"), Identifier("email", "admin@flixhop.cc"),
        Identifier("xtream_host", "line.flixpanel.cc:8080"),
    }


def test_panel_hosts_of_stream_urls() -> None:
    text = "http://tv.star.net:25461/live/user/pass/123.ts http://a.b.cc/c/ http://x.to/page"
    assert panel_hosts(text) == ["tv.star.net:25461", "a.b.cc"]


def test_redirect_chain_and_page_redirects() -> None:
    meta = {"redirect_urls": ["http://a.to/", "https://b.to/"],
            "redirect_reasons": [308, "meta refresh"]}
    proofs = chain_proofs(meta, "https://c.cc/")
    assert [(p.source, p.target, p.how) for p in proofs] == [
        ("http://a.to/", "https://b.to/", "http_308"),
        ("https://b.to/", "https://c.cc/", "meta_refresh")]
    assert proofs[1].crosses_domains and not chain_proofs({}, "http://x.to/")
    html = """<meta content="3;URL='/moved'" http-equiv="refresh">
    <script>if (blocked) { top.location.replace("https://mirror-two.cc/"); }
    var u = location.href; location = '//third.net/x';</script>
    <script src="x.js">window.location = "http://never.to/";</script>
    <p>window.location = "http://text-not-script.to/"</p>"""
    got = [(p.target, p.how) for p in page_redirects(html, "http://old.to/a/b")]
    assert got == [("http://old.to/moved", "meta_refresh"),
                   ("https://mirror-two.cc/", "js_location"), ("http://third.net/x", "js_location")]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode))
def test_junk_never_crashes(body: bytes) -> None:
    extract_identifiers(body, "http://x.to/")
    page_redirects(body, "http://x.to/")


def test_huge_page_is_cut_not_choked() -> None:
    body = ("<p>" + "UA-1234567-1 " * 400_000 + "</p>").encode()
    assert extract_identifiers(body) == [Identifier("ga_ua", "UA-1234567")]
