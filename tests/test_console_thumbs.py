"""Thumbnail re-encoding of hostile images: raster in, fresh PNG out, anything else refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from crawler.console.thumbs import NotAnImage, reencode


def _image(fmt: str, size: tuple[int, int] = (800, 600), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    info = {"exif": b"Exif\x00\x00secret"} if fmt == "JPEG" else {}
    image.save(out, format=fmt, **info)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP"])
def test_raster_images_become_small_fresh_pngs(fmt: str) -> None:
    source = _image(fmt)
    thumb = reencode(source)
    assert thumb.startswith(b"\x89PNG\r\n\x1a\n") and thumb != source
    with Image.open(io.BytesIO(thumb)) as image:
        assert max(image.size) == 320 and image.format == "PNG"
        assert "exif" not in image.info


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg onload="alert(1)"/>',
        b"<!DOCTYPE html><script>alert(1)</script>",
        b"GIF89a" + b"\x00" * 5,  # truncated
        b"",
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
    ],
)
def test_markup_and_broken_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        reencode(data)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # A PNG header claiming 100,000 x 100,000 pixels with almost no data behind it.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    )
    with pytest.raises(NotAnImage, match=r"pixels|Bomb"):
        reencode(bomb + chunk(b"IEND", b""))
