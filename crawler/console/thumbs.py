"""Thumbnails of scraped images, re-encoded by our server: never the pirate's bytes.

The re-encoding lives with the image catalog (:mod:`detectors.catalog.thumbs`), which keeps a
thumbnail of every reference image; the console uses the same code for anything it shows.
Evidence thumbnails (:func:`evidence_thumbnail`) go through the same guarded decode (size and
pixel caps, raster formats only, never SVG); a photo without transparency is then stored as
JPEG when that is smaller, since the registry keeps one per matched image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from detectors.catalog.thumbs import (
    ALLOWED_FORMATS,
    MAX_BYTES,
    MAX_PIXELS,
    THUMB_SIZE,
    NotAnImage,
    reencode,
)

__all__ = ["ALLOWED_FORMATS", "MAX_BYTES", "MAX_PIXELS", "THUMB_SIZE", "NotAnImage", "Thumb",
           "evidence_thumbnail", "reencode", "sniff_type"]  # fmt: skip

JPEG_QUALITY = 85


@dataclass(frozen=True)
class Thumb:
    data: bytes
    content_type: str  # image/png or image/jpeg


def evidence_thumbnail(data: bytes) -> Thumb:
    """Our own PNG or JPEG (at most 320 px) of ``data``; ``NotAnImage`` with the reason."""
    png = reencode(data)
    with Image.open(io.BytesIO(png), formats=("PNG",)) as ours:  # our bytes, not theirs
        if ours.mode != "RGB":
            return Thumb(png, "image/png")
        out = io.BytesIO()
        ours.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    jpeg = out.getvalue()
    return Thumb(jpeg, "image/jpeg") if len(jpeg) < len(png) else Thumb(png, "image/png")


def sniff_type(data: bytes) -> str | None:
    """image/png or image/jpeg by the magic bytes of a stored thumbnail, else None: what we
    serve is what the bytes are, whatever a row claims."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None
