"""Magnet URIs: the BitTorrent infohash in hex (40) or base32 (32) form, v2 multihashes,
display name and trackers. The hex form is the key every site shares for one release."""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

_MAGNET = re.compile(r"magnet:\?[^\s\"'<>\\]{1,4000}", re.IGNORECASE)
_HEX = re.compile(r"^[0-9a-fA-F]{40}$")
_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_V2 = re.compile(r"^1220([0-9a-fA-F]{64})$")


@dataclass(frozen=True)
class Magnet:
    """One magnet link. ``infohash`` is lower-case hex SHA-1 (v1), whatever form the URI used."""

    infohash: str
    name: str = ""  # dn: display name, often the release name
    trackers: tuple[str, ...] = ()  # tr: announce URLs, in order
    infohash_v2: str = ""  # btmh SHA-256 (hex), for v2/hybrid torrents
    size: int | None = None  # xl: exact length in bytes, when given


def normalize_infohash(value: str) -> str | None:
    """Lower-case hex of a 40-hex or 32-base32 infohash; None if it is neither."""
    value = value.strip()
    if _HEX.match(value):
        return value.lower()
    if _B32.match(value):
        try:
            return base64.b32decode(value.upper()).hex()
        except (binascii.Error, ValueError):
            return None
    return None


def parse_magnet(uri: str) -> Magnet | None:
    """The magnet's infohash, name and trackers; None if it names no valid infohash."""
    uri = html.unescape(uri.strip())
    if uri[:8].lower() != "magnet:?":
        return None
    params = parse_qs(uri[8:], keep_blank_values=True)
    v1 = ""
    v2 = ""
    for xt in params.get("xt", []):
        low = xt.lower()
        if low.startswith("urn:btih:") and not v1:
            v1 = normalize_infohash(xt[9:]) or ""
        elif low.startswith("urn:btmh:") and not v2:
            match = _V2.match(xt[9:])
            v2 = match.group(1).lower() if match else ""
    if not v1 and not v2:
        return None
    xl = (params.get("xl") or [""])[0]
    return Magnet(
        infohash=v1,
        name=unquote((params.get("dn") or [""])[0]).strip(),
        trackers=tuple(dict.fromkeys(t for t in params.get("tr", []) if t)),
        infohash_v2=v2,
        size=int(xl) if xl.isdigit() and len(xl) < 19 else None,
    )


def find_magnets(text: str, limit: int = 5000) -> list[Magnet]:
    """Distinct magnets (by infohash) written anywhere in ``text``, in order of appearance."""
    seen: dict[str, Magnet] = {}
    for index, match in enumerate(_MAGNET.finditer(text)):
        if index >= limit:
            break
        magnet = parse_magnet(match.group(0))
        if magnet is not None:
            seen.setdefault(magnet.infohash or magnet.infohash_v2, magnet)
    return list(seen.values())
