from crawler.pages import classify


def test_classify_by_header_and_by_sniffing() -> None:
    assert classify("text/html; charset=utf-8", b"<html></html>") == "html"
    assert classify("text/plain", b'\xef\xbb\xbf#EXTM3U x-tvg-url="a"\n') == "playlist"
    assert classify("application/vnd.apple.mpegurl", b"") == "playlist"
    assert classify("text/html", b'{"user_info": {"auth": 1}}') == "panel"
    assert classify("application/json", b'{"a": 1}') == "other"
    assert classify("application/json", b'[{"num": 1, "stream_id": 7}]') == "panel"
    assert classify("", b"<!DOCTYPE html><title>x</title>") == "html"
    assert classify("image/png", b"\x89PNG") == "other"
