"""detectors.base: values are validated where they are built, content decodes lazily."""

from __future__ import annotations

import math

import pytest

from detectors.base import Content, Signal, Verdict


def test_signal_score_must_be_in_unit_interval() -> None:
    assert Signal("d", "n", 0.0, "e").score == 0.0
    assert Signal("d", "n", 1, "e").score == 1.0
    for bad in (-0.01, 1.01, math.nan, math.inf, "0.5", None, True):
        with pytest.raises(ValueError):
            Signal("d", "n", bad, "e")  # type: ignore[arg-type]


def test_signal_weight_must_be_finite_and_non_negative() -> None:
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ValueError):
            Signal("d", "n", 0.5, "e", weight=bad)


def test_signal_qualified_name_and_dict() -> None:
    signal = Signal("page_structure", "magnet_links", 0.5, "3 magnets", "index", 3.0)
    assert signal.qualified_name == "page_structure.magnet_links"
    assert signal.to_dict()["family"] == "index"


def test_verdict_validates_score_and_kind() -> None:
    Verdict(0.7, True, "iptv", (), "x")
    with pytest.raises(ValueError):
        Verdict(1.5, True, "iptv", (), "x")
    with pytest.raises(ValueError):
        Verdict(0.7, True, "shop", (), "x")


def test_content_decodes_lazily_with_declared_charset() -> None:
    body = "<meta charset='windows-1252'><p>télécharger</p>".encode("cp1252")
    content = Content("http://x/", "html", body)
    assert "télécharger" in content.decoded_text()
    assert content.decoded_text() is content.decoded_text()  # memoised


def test_content_header_charset_and_bom() -> None:
    korean = "무료 다시보기".encode("euc-kr")
    content = Content("u", "html", korean, "text/html; charset=EUC-KR")
    assert content.decoded_text() == "무료 다시보기"
    utf16 = "ver gratis".encode("utf-16")
    assert Content("u", "html", utf16).decoded_text() == "ver gratis"


def test_content_text_wins_over_body() -> None:
    assert Content("u", "html", b"ignored", text="given").decoded_text() == "given"


def test_content_undecodable_bytes_never_raise() -> None:
    text = Content("u", "html", b"\xfa\xff\x00abc\x81").decoded_text()
    assert "abc" in text and "\x00" not in text


def test_content_rejects_non_bytes_body() -> None:
    with pytest.raises(TypeError):
        Content("u", "html", "str body")  # type: ignore[arg-type]
    assert Content("u", "html", bytearray(b"ok")).body == b"ok"  # type: ignore[arg-type]


def test_truncated_caps_body_and_text_and_keeps_small_content() -> None:
    content = Content("u", "html", b"x" * 100, text="y" * 100)
    assert content.truncated(1000) is content
    cut = content.truncated(10)
    assert cut.body == b"x" * 10 and cut.text == "y" * 10


def test_content_is_hashable_with_dict_meta() -> None:
    content = Content("u", "html", b"x", meta={"status": 200})
    assert hash(content) == hash(Content("u", "html", b"x", meta={"other": 1}))
