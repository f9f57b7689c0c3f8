"""Classify a fetched document (HTML page, playlist, panel JSON) from its headers and bytes.

Pirate servers lie about content types (M3U served as text/plain, JSON as text/html), so the
first bytes decide when the header is vague.
"""

from __future__ import annotations

PLAYLIST_TYPES = ("mpegurl", "x-mpegurl", "vnd.apple.mpegurl", "audio/mpegurl")


def classify(content_type: str, body: bytes) -> str:
    """One of ``html``, ``playlist``, ``panel`` or ``other``."""
    ctype = content_type.lower()
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"#EXTM3U") or any(t in ctype for t in PLAYLIST_TYPES):
        return "playlist"
    if head.startswith((b"{", b"[")) and _looks_like_panel(body):
        return "panel"
    if "html" in ctype or head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return "other"


def _looks_like_panel(body: bytes) -> bool:
    """Xtream-Codes answers: ``user_info``/``server_info`` or stream and category lists."""
    window = body[:8192]
    return any(key in window for key in (b'"user_info"', b'"stream_id"', b'"category_id"',
                                         b'"series_id"'))  # fmt: skip
