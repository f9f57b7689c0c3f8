"""Decode an image cheaply, refuse the unmatchable ones, trim borders, and hash it.

Pirates re-encode, resize, letterbox and crop the posters they scrape. Hashing therefore works
on a normalised picture: decoded small (JPEG draft mode decodes at 1/2..1/8 scale for a fraction
of the cost), alpha flattened on white, grey, and with uniform borders (letterbox bars, padding)
trimmed off. What is left is hashed with two imagehash hashes: pHash (the index key) and dHash
(an independent check that cuts chance matches). Crops are handled by *variants*: the reference
side also hashes cropped copies of itself (see ``Variant``), so a cropped query meets a
reference variant that was cropped about the same way. The query side tries a few crops too
(*probes*) that drop a band a site burnt in; those are cut from the picture as decoded and
trimmed afterwards, because a caption band or a logo lying on a letterbox bar or a flat
backdrop stops the trim at the picture's edge, and only once the band is cut off can the trim
find the borders the reference was trimmed to.

Blank, tiny and one-colour images are refused before hashing: their hashes are noise and would
match each other across unrelated works.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image, UnidentifiedImageError

#: The working picture's longest side is brought under twice this by an integer box reduce
#: (no resampling pass: a thumbnail() costs more than the whole decode): plenty for a 32x32
#: pHash, cheap to trim and crop.
WORK_SIDE = 128
#: JPEGs decode straight to grey at the smallest DCT scale (1/2..1/8) keeping both sides at
#: least this long.
DRAFT_SIDE = 128
#: Each crop is box-averaged to this square before imagehash resamples it (LANCZOS on a
#: 64x64 picture costs a tenth of LANCZOS on the working picture; pHash keeps 32x32 anyway).
HASH_SIDE = 64


#: Pillow modes with samples wider than 8 bits (medical/scientific PNG and TIFF).
WIDE_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


class ImageRejected(Exception):
    """The bytes are not a usable image: unreadable, too large, tiny, blank or one colour."""


class ImageUnreadable(ImageRejected):
    """The bytes are not an image at all, or one too broken or too large to decode."""


@dataclass(frozen=True)
class Quality:
    """The quality floor below which an image is not matched (config: ``quality``)."""

    min_side: int = 32
    min_std: float = 6.0
    max_dominant: float = 0.95
    max_pixels: int = 60_000_000
    border_tolerance: int = 24
    border_max_trim: float = 0.35


@dataclass(frozen=True)
class Variant:
    """A crop of the trimmed picture, as fractions cut from left, right, top and bottom."""

    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    #: False: taken from the picture before border trimming. A reference whose own edges are
    #: flat (sky, studio backdrop) trims deeper than its letterboxed copy, whose bars stop the
    #: trim at the picture's edge; its untrimmed variant is what that copy meets.
    trimmed: bool = True
    #: True: cut from the picture as decoded, then trimmed (query probes: see the module doc).
    cut_first: bool = False

    @property
    def cut(self) -> bool:
        return any((self.left, self.right, self.top, self.bottom))

    @property
    def label(self) -> str:
        base = "" if self.trimmed else "untrimmed "
        if not self.cut:
            return base + "full"
        crop = f"crop l{self.left:g} r{self.right:g} t{self.top:g} b{self.bottom:g}"
        return base + crop + (" before trim" if self.cut_first else "")


FULL = Variant()


@dataclass(frozen=True)
class Hashes:
    """The hashes of one variant of one image, as unsigned 64-bit integers."""

    phash: int
    dhash: int
    variant: Variant = FULL


def decode(data: bytes, quality: Quality = Quality()) -> Image.Image:
    """The working picture of ``data``: greyscale, under ``2 * WORK_SIDE`` px, alpha on white."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > quality.max_pixels:
                raise ImageUnreadable(f"too large to decode ({width}x{height} px)")
            if min(width, height) < quality.min_side:
                raise ImageRejected(f"too small ({width}x{height} px, min {quality.min_side})")
            if img.format == "JPEG":
                img.draft("L", (DRAFT_SIDE, DRAFT_SIDE))
            img.seek(0)
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                flat.alpha_composite(rgba)
                img = flat
            elif img.mode in WIDE_MODES:  # 16-bit or float samples: convert("L") would clip
                values = np.asarray(img, dtype=np.float32)
                top = float(values.max()) if values.size else 0.0
                scaled = values * (255.0 / top) if top > 255 else values
                img = Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8))
            grey = img.convert("L")
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageUnreadable("too large to decode (decompression bomb)") from None
    except UnidentifiedImageError:
        raise ImageUnreadable("not an image (no known image format)") from None
    except Exception as exc:  # PIL raises many types on hostile bytes
        raise ImageUnreadable(f"broken image ({type(exc).__name__}: {exc})") from None
    longest = max(grey.size)
    if longest >= 2 * WORK_SIDE:
        grey = grey.reduce(longest // WORK_SIDE)
    return grey


def check_quality(grey: Image.Image, quality: Quality = Quality()) -> None:
    """Raise ImageRejected for blank, flat or one-colour pictures."""
    pixels = np.asarray(grey, dtype=np.uint8)
    if float(pixels.std()) < quality.min_std:
        raise ImageRejected(f"blank or flat (contrast {pixels.std():.1f} < {quality.min_std})")
    counts = np.bincount(pixels.ravel() >> 3, minlength=32)
    dominant = float(counts.max()) / pixels.size
    if dominant > quality.max_dominant:
        raise ImageRejected(f"one colour ({dominant:.0%} of pixels alike)")


def _first_content(off: np.ndarray, limit: int) -> int:
    """Index of the first line with content (more than 2 % of it off the border colour)."""
    busy = np.flatnonzero(off.mean(axis=1) > 0.02)
    if busy.size == 0:
        return 0
    return int(min(busy[0], limit))


def trim(grey: Image.Image, quality: Quality = Quality()) -> Image.Image:
    """``grey`` without uniform borders on any side (letterbox bars, padding, frames)."""
    pixels = np.asarray(grey, dtype=np.int16)
    height, width = pixels.shape
    tol = quality.border_tolerance
    cut_h, cut_w = int(height * quality.border_max_trim), int(width * quality.border_max_trim)
    sides = []
    for lines, limit in (
        (pixels, cut_h),
        (pixels[::-1], cut_h),
        (pixels.T, cut_w),
        (pixels.T[::-1], cut_w),
    ):
        colour = int(np.median(lines[0]))
        sides.append(_first_content(np.abs(lines[: limit + 1] - colour) > tol, limit))
    top, bottom, left, right = sides
    if top + bottom >= height - 8 or left + right >= width - 8:
        return grey
    if not any(sides):
        return grey
    return grey.crop((left, top, width - right, height - bottom))


def _to_int(hashed: imagehash.ImageHash) -> int:
    bits = np.packbits(np.asarray(hashed.hash, dtype=bool).ravel())
    return int.from_bytes(bits.tobytes(), "big")


def _cut(picture: Image.Image, variant: Variant) -> Image.Image:
    if not variant.cut:
        return picture
    width, height = picture.size
    box = (
        round(width * variant.left),
        round(height * variant.top),
        width - round(width * variant.right),
        height - round(height * variant.bottom),
    )
    return picture.crop(box)


def hash_picture(picture: Image.Image, variant: Variant = FULL) -> Hashes:
    """pHash and dHash of the crop ``variant`` of a working picture."""
    small = _cut(picture, variant).resize((HASH_SIDE, HASH_SIDE), Image.Resampling.BOX)
    return Hashes(_to_int(imagehash.phash(small)), _to_int(imagehash.dhash(small)), variant)


def prepare(data: bytes, quality: Quality = Quality()) -> tuple[Image.Image, Image.Image]:
    """Decode and check the quality floor: (picture, picture with its borders trimmed)."""
    grey = decode(data, quality)
    check_quality(grey, quality)
    trimmed = trim(grey, quality)
    if min(trimmed.size) < 16:
        width, height = trimmed.size
        raise ImageRejected(f"almost nothing inside its borders ({width}x{height})")
    return grey, trimmed


def hash_image(
    data: bytes, variants: Sequence[Variant] = (FULL,), quality: Quality = Quality()
) -> list[Hashes]:
    """Hashes of each of ``variants`` of the image in ``data``; ImageRejected if unusable."""
    grey, trimmed = prepare(data, quality)
    return [_hash_variant(grey, trimmed, v, quality) for v in variants]


def _hash_variant(grey: Image.Image, trimmed: Image.Image, variant: Variant,
                  quality: Quality) -> Hashes:  # fmt: skip
    if not (variant.cut_first and variant.cut):
        return hash_picture(trimmed if variant.trimmed else grey, variant)
    picture = trim(_cut(grey, variant), quality)
    small = picture.resize((HASH_SIDE, HASH_SIDE), Image.Resampling.BOX)
    return Hashes(_to_int(imagehash.phash(small)), _to_int(imagehash.dhash(small)), variant)


def hex64(value: int) -> str:
    """A 64-bit hash as 16 hex digits (imagehash's notation)."""
    return f"{value:016x}"
