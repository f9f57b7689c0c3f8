"""What a fetched or stored thing is, and how a detector sees it.

``isop detect``, ``isop eval`` and ``isop rescore`` all hand detectors bytes whose nature they
must guess: an HTML page, an M3U playlist, an Xtream panel's JSON, an XMLTV guide or a
.torrent file. The content is sniffed (the bytes first, the name and Content-Type after), and
the two formats no heuristic reads as they are become a *listing*, one name a line: a
.torrent's name and file paths, an XMLTV guide's channel names and programme titles.
"""

from __future__ import annotations

import lxml.etree as etree

from detectors.base import Content

_MAX_LISTING_LINES = 5000
_MAX_DEPTH = 64
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


class InputError(ValueError):
    """The bytes are not what they claim to be (a broken .torrent...)."""


def is_image(body: bytes) -> bool:
    """JPEG, PNG, GIF, WebP, BMP or ICO by magic bytes (an image's name or type may lie)."""
    if body.startswith(_IMAGE_MAGIC):
        return True
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return True
    if body[:2] == b"BM" and len(body) >= 26 and body[6:10] == b"\0\0\0\0":
        return True  # BITMAPFILEHEADER: its reserved words are zero
    return body[:4] == b"\0\0\1\0" and len(body) >= 22 and body[4:6] != b"\0\0"  # ICO


def sniff_kind(body: bytes, name: str = "", content_type: str = "") -> str:
    """``html``, ``playlist``, ``panel``, ``torrent``, ``xmltv`` or ``image`` for these bytes."""
    if is_image(body):
        return "image"
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower_name = name.lower().split("?", 1)[0]
    ctype = content_type.lower()
    if (head.startswith(b"d") and b"4:info" in body[:1_000_000]) or lower_name.endswith(".torrent"):
        return "torrent"
    if head.startswith(b"#EXTM3U") or lower_name.endswith((".m3u", ".m3u8")) or "mpegurl" in ctype:
        return "playlist"
    if head[:1] in (b"{", b"[") or "json" in ctype:
        return "panel"
    if b"<tv" in head and (head.startswith(b"<?xml") or head.startswith(b"<tv")):
        return "xmltv"
    return "html"


def to_content(url: str, body: bytes, kind: str, content_type: str = "") -> Content:
    """The detector content for sniffed bytes (``InputError`` when a .torrent is broken)."""
    if kind == "torrent":
        return Content(url, "listing", body, content_type, text=torrent_listing(body))
    if kind == "xmltv":
        return Content(url, "listing", body, content_type, text=xmltv_listing(body))
    return Content(url, kind, body, content_type)


# -- .torrent ----------------------------------------------------------------------------------


def _decode(data: bytes, pos: int, depth: int) -> tuple[object, int]:
    if depth > _MAX_DEPTH:
        raise InputError("nesting too deep")
    if pos >= len(data):
        raise InputError("truncated")
    lead = data[pos : pos + 1]
    if lead == b"i":
        end = data.index(b"e", pos)
        return int(data[pos + 1 : end]), end + 1
    if lead in (b"l", b"d"):
        pos += 1
        items: list[object] = []
        while data[pos : pos + 1] != b"e":
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        if lead == b"l":
            return items, pos + 1
        if len(items) % 2:
            raise InputError("dictionary with a key and no value")
        return {items[i]: items[i + 1] for i in range(0, len(items), 2)}, pos + 1
    colon = data.index(b":", pos)
    length = int(data[pos:colon])
    if length < 0 or colon + 1 + length > len(data):
        raise InputError("string runs past the end")
    return data[colon + 1 : colon + 1 + length], colon + 1 + length


def decode_torrent(body: bytes) -> dict[bytes, object]:
    """The bencoded dictionary of a .torrent (``InputError`` when it is not one)."""
    try:
        value, _ = _decode(body, 0, 0)
    except (ValueError, IndexError, TypeError, RecursionError) as exc:
        raise InputError(f"not a valid .torrent ({exc})") from exc
    if not isinstance(value, dict) or not isinstance(value.get(b"info"), dict):
        raise InputError("not a valid .torrent (no info dictionary)")
    return value


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def torrent_listing(body: bytes) -> str:
    """A torrent's name, file paths (their last part) and trackers, one a line."""
    meta = decode_torrent(body)
    info = meta[b"info"]
    assert isinstance(info, dict)
    lines = [_text(info.get(b"name"))]
    for entry in info.get(b"files") or []:
        if isinstance(entry, dict) and isinstance(entry.get(b"path"), list) and entry[b"path"]:
            lines.append(_text(entry[b"path"][-1]))
        if len(lines) >= _MAX_LISTING_LINES:
            break
    lines.append(_text(meta.get(b"announce")))
    return "\n".join(line for line in lines if line)


# -- XMLTV -------------------------------------------------------------------------------------


def xmltv_listing(body: bytes) -> str:
    """An XMLTV guide's channel names and programme titles, one a line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not a readable XMLTV guide ({exc})") from exc
    if root is None:
        raise InputError("not a readable XMLTV guide (empty)")
    lines: list[str] = []
    for node in root.iter("display-name", "title"):
        if node.text and node.text.strip():
            lines.append(node.text.strip())
        if len(lines) >= _MAX_LISTING_LINES:
            break
    return "\n".join(dict.fromkeys(lines))
