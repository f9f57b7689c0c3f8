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
    if head.startswith(b"{") and b"user_info" in body[:4096]:
        return "panel"
    if "html" in ctype or head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if "json" in ctype:
        return "panel" if b"user_info" in body[:4096] else "other"
    return "other"
