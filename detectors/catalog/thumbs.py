"""Thumbnails re-encoded by our server: never the pirate's (or the uploader's) bytes.

Whatever comes in (a poster, a logo, something pretending to be one) is decoded by Pillow
from a short list of raster formats, shrunk, stripped of metadata and written anew as PNG.
SVG (script-capable) is refused, as is anything Pillow cannot decode or whose pixel count
betrays a decompression bomb.  The console then serves only these bytes, from its own host.
The catalog keeps one for each reference image (what the console shows beside the evidence
that matched it); :mod:`crawler.console.thumbs` is this module for the console's side.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
MAX_PIXELS = 40_000_000
MAX_BYTES = 10_000_000
THUMB_SIZE = (320, 320)


class NotAnImage(ValueError):
    """The bytes are not a raster image we are willing to decode."""


def reencode(data: bytes, size: tuple[int, int] = THUMB_SIZE) -> bytes:
    """A PNG thumbnail of ``data``; raises ``NotAnImage`` with the reason otherwise."""
    if len(data) > MAX_BYTES:
        raise NotAnImage(f"image of {len(data)} bytes exceeds {MAX_BYTES}")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")):
        raise NotAnImage("markup (SVG/HTML), not a raster image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAnImage(f"{image.width}x{image.height} pixels is too many")
                image.seek(0)  # first frame of an animation
                image.load()
                frame = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:  # fmt: skip
        if isinstance(exc, NotAnImage):
            raise
        raise NotAnImage(f"undecodable image: {type(exc).__name__}: {exc}") from None
    frame.thumbnail(size)
    out = io.BytesIO()
    frame.save(out, format="PNG", optimize=True)  # no EXIF, no text chunks carried over
    return out.getvalue()
