"""What pirates do to a poster before posting it: the copies ``isop eval-images`` tests.

Each transform takes the original picture and a seeded random generator (so a run is
reproducible and crops/paddings vary per image) and returns encoded bytes, as a scraper would
see them. ``GOAL`` names the transforms the issue sets a recall goal for; the others are shown
for information.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont, ImageOps


def _flat(img: Image.Image) -> Image.Image:
    """RGB with any transparency laid on white (as a page would show it)."""
    if "A" not in img.getbands():
        return img.convert("RGB")
    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    white.alpha_composite(rgba)
    return white.convert("RGB")


def _jpeg(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    _flat(img).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _resize(img: Image.Image, factor: float) -> Image.Image:
    width, height = img.size
    return img.resize((max(8, round(width * factor)), max(8, round(height * factor))),
                      Image.Resampling.BICUBIC)  # fmt: skip


def _crop(img: Image.Image, rng: random.Random, share: float) -> Image.Image:
    """Cut ``share`` of the width and of the height, split at random between the two sides."""
    width, height = img.size
    left, top = rng.uniform(0, share), rng.uniform(0, share)
    right, bottom = width - round(width * (share - left)), height - round(height * (share - top))
    return img.crop((round(width * left), round(height * top), right, bottom))


def letterbox(img: Image.Image, rng: random.Random) -> bytes:
    """Black bars adding 20 % to the height (a poster in a 16:9 frame)."""
    pad = round(img.height * 0.1)
    return _jpeg(ImageOps.expand(_flat(img), border=(0, pad), fill=(0, 0, 0)), 85)


def pad(img: Image.Image, rng: random.Random) -> bytes:
    """A solid frame of a random colour adding 20 % to each dimension."""
    colour = tuple(rng.randrange(256) for _ in range(3))
    border = (round(img.width * 0.1), round(img.height * 0.1))
    return _jpeg(ImageOps.expand(_flat(img), border=border, fill=colour), 85)


def overlay(img: Image.Image, rng: random.Random) -> bytes:
    """A caption band at the bottom and a site logo box in a corner."""
    img = _flat(img)
    width, height = img.size
    draw = ImageDraw.Draw(img)
    band = max(8, height // 12)
    draw.rectangle((0, height - band, width, height), fill=(15, 15, 15))
    font = ImageFont.load_default(size=max(8, band * 2 // 3))
    draw.text((6, height - band + 1), "WATCH FREE HD  streamz.example", fill=(255, 220, 0),
              font=font)  # fmt: skip
    box = (max(4, width // 7), max(4, height // 12))
    x0 = rng.choice((4, width - box[0] - 4))
    draw.rectangle((x0, 4, x0 + box[0], 4 + box[1]), fill=(200, 20, 30))
    draw.text((x0 + 3, 5), "HD", fill=(255, 255, 255), font=font)
    return _jpeg(img, 85)


Transform = Callable[[Image.Image, random.Random], bytes]

TRANSFORMS: dict[str, Transform] = {
    "jpeg_q30": lambda img, rng: _jpeg(img, 30),
    "jpeg_q60": lambda img, rng: _jpeg(img, 60),
    "resize_0.3x": lambda img, rng: _jpeg(_resize(img, 0.3), 90),
    "resize_2x": lambda img, rng: _jpeg(_resize(img, 2.0), 90),
    "crop_5%": lambda img, rng: _jpeg(_crop(img, rng, 0.05), 85),
    "crop_10%": lambda img, rng: _jpeg(_crop(img, rng, 0.10), 85),
    "letterbox_20%": letterbox,
    "pad_20%": pad,
    "overlay": overlay,
    "grayscale": lambda img, rng: _jpeg(ImageOps.grayscale(_flat(img)), 85),
    "rotate_2deg": lambda img, rng: _jpeg(_flat(img).rotate(2, expand=True), 85),
}

#: Transforms with a recall goal (>= 90 %); rotation is shown but not a goal.
GOAL = tuple(name for name in TRANSFORMS if name != "rotate_2deg")
