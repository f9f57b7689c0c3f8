"""Template signatures and favicon keys, measured on the sandbox's own pages."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from crawler.linking.favicon import favicon_key
from crawler.linking.features import page_features
from crawler.linking.template import PERMS, TemplateSignature, jaccard, shingles, signature
from crawler.sandbox import build_web
from crawler.sandbox.roster import OPERATIONS
from crawler.sandbox.web import SandboxWeb


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


def _home(web: SandboxWeb, domain: str) -> bytes:
    return web.fetch(f"http://{domain}/").body


def test_mirror_pages_have_the_same_template(web: SandboxWeb) -> None:
    a, b = (signature(_home(web, d)) for d in ("flixtorrent.to", "flixtorrent.cc"))
    assert a is not None and b is not None
    assert a.similarity(b) == 1.0 and set(a.bands()) == set(b.bands())


def test_different_templates_are_far_and_signature_estimates_jaccard(web: SandboxWeb) -> None:
    pages = {d: _home(web, d) for d in ("flixtorrent.to", "cinemagnet.mx", "watchmoviehd.to",
                                        "iptvprimeplus.com", "copyrightbeat.com")}
    for x, y in itertools.combinations(pages, 2):
        sx, sy = signature(pages[x]), signature(pages[y])
        assert sx is not None and sy is not None
        exact = jaccard(shingles(pages[x]), shingles(pages[y]))
        assert abs(sx.similarity(sy) - exact) < 0.2, (x, y)
        assert sx.similarity(sy) < 0.9, (x, y)


def test_one_template_kit_is_shared_by_unrelated_operations(web: SandboxWeb) -> None:
    """Why a template alone is a supporting proof: two operators on one kit look alike."""
    kit = {op.primary for op in OPERATIONS if op.template == "video_host"}
    a, b = (signature(_home(web, d)) for d in sorted(kit))
    assert a is not None and b is not None and a.similarity(b) >= 0.9


def test_signature_round_trip_and_small_pages() -> None:
    page = "".join(f"<div class='c{i}'><p><b>{i}</b></p></div>" for i in range(50))
    sig = signature(f"<html><body>{page}</body></html>")
    assert sig is not None and len(sig.to_hex()) == 8 * PERMS
    assert TemplateSignature.from_hex(sig.to_hex()).minima == sig.minima
    assert signature("<html><body>moved</body></html>") is None  # too small to be a template
    with pytest.raises(ValueError):
        TemplateSignature.from_hex("abc")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_junk_html_never_crashes(body: bytes) -> None:
    signature(body)
    page_features("http://x.to/", "text/html", body)


def test_deeply_nested_html_does_not_recurse() -> None:
    body = "<div>" * 50_000 + "x" + "</div>" * 50_000
    assert len(shingles(body)) < 20  # one path repeated: no template, and no RecursionError
    assert signature(body) is None


def test_favicon_keys(web: SandboxWeb) -> None:
    ico = {d: web.fetch(f"http://{d}/favicon.ico").body for d in
           ("flixtorrent.to", "flixtorrent.cc", "cinemagnet.mx")}
    keys = {d: favicon_key(b) for d, b in ico.items()}
    assert keys["flixtorrent.to"] == keys["flixtorrent.cc"] is not None
    assert keys["cinemagnet.mx"] != keys["flixtorrent.to"]
    # The same icon re-encoded as PNG keeps its key; junk and huge files have none.
    img = Image.open(io.BytesIO(ico["flixtorrent.to"]))
    png = io.BytesIO()
    img.save(png, "PNG")
    assert favicon_key(png.getvalue()) == keys["flixtorrent.to"]
    assert favicon_key(b"\x00\x00\x01\x00garbage") is None
    assert favicon_key(b"") is None and favicon_key(b"x" * 2_000_000) is None
    feats = page_features("http://flixtorrent.to/favicon.ico", "image/x-icon",
                          ico["flixtorrent.to"])
    assert [f.kind for f in feats] == ["favicon"]
