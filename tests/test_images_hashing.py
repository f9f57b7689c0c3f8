"""Decoding, the quality floor, border trimming and the hashes they feed."""

from __future__ import annotations

import io
import random
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from detectors.image.hashing import (
    FULL,
    ImageRejected,
    ImageUnreadable,
    Variant,
    hash_image,
    hex64,
    prepare,
)


def poster(seed: int, size: tuple[int, int] = (300, 450)) -> Image.Image:
    """A structured synthetic poster: gradient, shapes, a title block (seeded)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top = [rng.randrange(256) for _ in range(3)]
    for y in range(size[1]):
        draw.line([(0, y), (size[0], y)], fill=tuple(int(c * (1 - y / size[1] / 2)) for c in top))
    for _ in range(14):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(20, 140), rng.randrange(20, 140)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    draw.text((20, size[1] - 60), f"WORK {seed}", fill=(255, 255, 255))
    return img


def encode(img: Image.Image, fmt: str = "JPEG", quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, quality=quality) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()


def distance(a: int, b: int) -> int:
    return bin(a ^ b).count("1")


def test_usable_image_gets_two_64_bit_hashes() -> None:
    (h,) = hash_image(encode(poster(1)))
    assert h.variant == FULL
    assert 0 <= h.phash < 2**64 and 0 <= h.dhash < 2**64
    assert len(hex64(h.phash)) == 16
    other = hash_image(encode(poster(2)))[0]
    assert distance(h.phash, other.phash) > 12


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (Image.new("RGB", (400, 300), "white"), "blank"),
        (Image.new("RGB", (20, 200), "red"), "too small"),
        (poster(3).resize((24, 36)), "too small"),
    ],
)
def test_quality_floor(image: Image.Image, reason: str) -> None:
    with pytest.raises(ImageRejected, match=reason):
        hash_image(encode(image, "PNG"))


def test_one_colour_with_a_speck_is_refused() -> None:
    img = Image.new("RGB", (400, 300), (0, 90, 200))
    ImageDraw.Draw(img).text((10, 10), "x", fill="white")
    ImageDraw.Draw(img).rectangle((200, 100, 230, 140), fill="black")
    with pytest.raises(ImageRejected, match="one colour"):
        hash_image(encode(img, "PNG"))


@pytest.mark.parametrize(
    "data",
    [b"", b"<html>no</html>", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, encode(poster(4))[:300]],
    ids=["empty", "html", "broken-png", "truncated-jpeg"],
)
def test_unreadable_bytes(data: bytes) -> None:
    with pytest.raises(ImageUnreadable):
        hash_image(data)


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ImageUnreadable, match="too large"):
        hash_image(_png_claiming(100_000, 100_000))


def test_letterbox_bars_and_padding_are_trimmed() -> None:
    original = poster(5)
    letterboxed = ImageOps.expand(original, border=(0, 45), fill=(0, 0, 0))
    padded = ImageOps.expand(original, border=(30, 45), fill=(200, 30, 90))
    # The poster's own flat bottom rows trim too: the untrimmed variant is what copies meet.
    references = hash_image(encode(original), [FULL, Variant(trimmed=False)])
    for copy in (letterboxed, padded):
        grey, trimmed = prepare(encode(copy))
        assert trimmed.size[1] < grey.size[1] * 0.9
        assert abs(trimmed.size[1] / trimmed.size[0] - 1.5) < 0.05  # the poster's 2:3 again
        hashed = hash_image(encode(copy))[0]
        assert min(distance(r.phash, hashed.phash) for r in references) <= 6
        assert min(distance(r.dhash, hashed.dhash) for r in references) <= 8


def test_grayscale_and_transparency() -> None:
    original = poster(6)
    base = hash_image(encode(original))[0]
    grey = hash_image(encode(ImageOps.grayscale(original)))[0]
    assert distance(base.phash, grey.phash) <= 4
    logo = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((20, 10, 120, 110), fill=(200, 0, 0, 255))
    ImageDraw.Draw(logo).rectangle((150, 30, 280, 90), fill=(0, 0, 160, 255))
    on_white = Image.new("RGB", logo.size, "white")
    on_white.paste(logo, mask=logo)
    a = hash_image(encode(logo, "PNG"))[0]
    b = hash_image(encode(on_white, "JPEG", 90))[0]
    assert distance(a.phash, b.phash) <= 4


@pytest.mark.parametrize("mode", ["CMYK", "P", "LA", "1", "I;16"])
def test_other_pixel_modes_hash_like_rgb(mode: str) -> None:
    original = poster(9)
    base = hash_image(encode(original, "PNG"))[0]
    if mode == "I;16":
        grey = np.asarray(original.convert("L"), dtype=np.uint16) * 257
        converted, fmt = Image.fromarray(grey), "PNG"
    else:
        converted, fmt = original.convert(mode), "JPEG" if mode == "CMYK" else "PNG"
    hashed = hash_image(encode(converted, fmt))[0]
    assert distance(base.phash, hashed.phash) <= 12


def test_crop_variants_meet_cropped_copies() -> None:
    """A copy cut 10 % on the left is near the reference variant cut the same way."""
    original = poster(7)
    width, height = original.size
    cropped = original.crop((width // 10, 0, width, height))
    variants = [FULL, Variant(left=0.1)]
    full, left = hash_image(encode(original), variants)
    query = hash_image(encode(cropped))[0]
    assert left.variant.label == "crop l0.1 r0 t0 b0"
    assert distance(query.phash, left.phash) <= 4
    assert distance(query.phash, left.phash) < distance(query.phash, full.phash)


def test_untrimmed_variant_keeps_flat_edges() -> None:
    """A picture with a flat sky trims deeper than its letterboxed copy; untrimmed meets it."""
    img = poster(8)
    ImageDraw.Draw(img).rectangle((0, 0, img.width, 120), fill=(150, 190, 230))
    trimmed, untrimmed = hash_image(encode(img), [FULL, Variant(trimmed=False)])
    letterboxed = hash_image(encode(ImageOps.expand(img, border=(0, 40), fill="black")))[0]
    assert distance(letterboxed.phash, untrimmed.phash) <= 6
    assert distance(letterboxed.phash, untrimmed.phash) < distance(letterboxed.phash, trimmed.phash)
