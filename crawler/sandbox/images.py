"""Real image bytes made with Pillow: posters, logos, favicons, article photos.

A work has one master poster; each pirate site re-encodes it its own way (size, crop, JPEG
quality, a watermark band) exactly as scraped posters drift across the web, so perceptual
hashes match while bytes differ.
"""

from __future__ import annotations

import colorsys
import io
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from . import rand
from .model import Channel, Work

POSTER_W, POSTER_H = 400, 600  # drawing canvas
MASTER_W, MASTER_H = 300, 450  # the "studio" master every site copies from


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _color(r_hue: float, sat: float, val: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hsv_to_rgb(r_hue % 1.0, sat, val)
    return int(red * 255), int(green * 255), int(blue * 255)


def _gradient(img: Image.Image, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for y in range(h):
        t = y / max(h - 1, 1)
        col = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (w, y)], fill=col)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


@lru_cache(maxsize=128)
def master_poster(seed: int, work: Work) -> Image.Image:
    """The studio poster of a work: a distinctive composition per work."""
    r = rand.rng(seed, "poster", work.id)
    hue = r.random()
    img = Image.new("RGB", (POSTER_W, POSTER_H))
    _gradient(img, _color(hue, 0.7, 0.35), _color(hue + 0.08, 0.9, 0.08))
    draw = ImageDraw.Draw(img)
    # a large "sun" or moon and a skyline / mountains silhouette
    cx, cy, rad = r.randint(80, 320), r.randint(120, 260), r.randint(50, 120)
    draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=_color(hue + 0.5, 0.6, 0.95))
    base = r.randint(330, 420)
    if r.random() < 0.5:
        x = 0
        while x < POSTER_W:
            bw, bh = r.randint(25, 60), r.randint(40, 200)
            draw.rectangle([x, base - bh, x + bw, POSTER_H], fill=_color(hue, 0.5, 0.05))
            x += bw + r.randint(0, 6)
    else:
        pts = [(0, POSTER_H)]
        for i in range(9):
            pts.append((i * 50, base - r.randint(0, 180)))
        pts.append((POSTER_W, POSTER_H))
        draw.polygon(pts, fill=_color(hue + 0.02, 0.6, 0.07))
    # a figure
    fx = r.randint(140, 260)
    draw.ellipse([fx - 22, base - 150, fx + 22, base - 106], fill=(10, 10, 12))
    draw.rectangle([fx - 35, base - 106, fx + 35, base + 20], fill=(10, 10, 12))
    # title block
    title = work.title.upper()
    y = 445
    for line in _wrap(title, 16)[:3]:
        draw.text((POSTER_W // 2, y), line, font=_font(34), fill=(245, 240, 230), anchor="mm")
        y += 38
    draw.text((POSTER_W // 2, 580), f"IN CINEMAS {work.year}", font=_font(14),
              fill=(200, 200, 200), anchor="mm")
    draw.text((POSTER_W // 2, 30), "A FILM BY " + r.choice(
        ("M. ARDEN", "L. OKAFOR", "S. PARK", "J. MORENO", "A. DUVAL", "R. SANTOSO")),
        font=_font(13), fill=(220, 220, 220), anchor="mm")
    return img.resize((MASTER_W, MASTER_H), Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class PosterStyle:
    """How one site re-encodes posters."""

    width: int
    quality: int
    crop: float  # fraction trimmed from each side
    watermark: str | None
    fmt: str = "JPEG"


def site_poster_style(seed: int, site: str, brand: str) -> PosterStyle:
    """Each operation scrapes and re-encodes posters its own way."""
    r = rand.rng(seed, "poster-style", site)
    return PosterStyle(width=r.choice((160, 182, 200, 220, 240, 300)),
                       quality=r.choice((55, 65, 72, 80, 88)),
                       crop=r.choice((0.0, 0.0, 0.02, 0.04)),
                       watermark=brand if r.random() < 0.4 else None)


def encode(img: Image.Image, fmt: str = "JPEG", quality: int = 85) -> bytes:
    """Encode deterministically (no timestamps, fixed settings)."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=quality)
    else:
        img.save(buf, fmt)
    return buf.getvalue()


def poster_bytes(seed: int, work: Work, style: PosterStyle) -> bytes:
    """A site's copy of a work's poster."""
    img = master_poster(seed, work)
    if style.crop:
        dx, dy = int(MASTER_W * style.crop), int(MASTER_H * style.crop)
        img = img.crop((dx, dy, MASTER_W - dx, MASTER_H - dy))
    h = int(style.width * img.height / img.width)
    img = img.resize((style.width, h), Image.Resampling.BICUBIC)
    if style.watermark:
        draw = ImageDraw.Draw(img)
        band = max(14, h // 16)
        draw.rectangle([0, h - band, style.width, h], fill=(0, 0, 0))
        draw.text((style.width // 2, h - band // 2), style.watermark, font=_font(band - 4),
                  fill=(255, 210, 0), anchor="mm")
    return encode(img, style.fmt, style.quality)


def backdrop_bytes(seed: int, work: Work, width: int = 960, quality: int = 82) -> bytes:
    """A 16:9 key-art image made from the master poster (hero banners, og:image)."""
    img = master_poster(seed, work).resize((width // 2, width * 3 // 4), Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", (width, width * 9 // 16), (8, 8, 10))
    canvas.paste(img.crop((0, 0, width // 2, width * 9 // 16)), (width // 4, 0))
    return encode(canvas, "JPEG", quality)


def logo_png(text: str, hue: float, width: int = 220, height: int = 60) -> bytes:
    """A site or brand logo (PNG)."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([0, 0, width - 1, height - 1], radius=10,
                           fill=(*_color(hue, 0.75, 0.75), 255))
    ascii_text = text.encode("ascii", "ignore").decode() or "TV"
    draw.text((width // 2, height // 2), ascii_text, font=_font(height // 2),
              fill=(255, 255, 255, 255), anchor="mm")
    return encode(img, "PNG")


@lru_cache(maxsize=64)
def channel_logo(channel: Channel, size: int = 128) -> bytes:
    """A TV channel logo (PNG), the same bytes wherever a playlist points at it."""
    hue = (sum(channel.name.encode()) % 360) / 360
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse([4, 4, size - 4, size - 4], fill=(*_color(hue, 0.8, 0.7), 255))
    words = channel.name.replace("+", " +").split()
    text = "".join(w[0] for w in words[:3]).upper() if len(channel.name) > 6 else channel.name
    draw.text((size // 2, size // 2), text, font=_font(size // 3), fill=(255, 255, 255, 255),
              anchor="mm")
    return encode(img, "PNG")


def favicon_ico(letter: str, hue: float) -> bytes:
    """A 32x32 .ico favicon; shared by every domain of an operation."""
    img = Image.new("RGBA", (32, 32), (*_color(hue, 0.8, 0.7), 255))
    draw = ImageDraw.Draw(img)
    ch = (letter.encode("ascii", "ignore").decode() or "S")[:1].upper()
    draw.text((16, 16), ch, font=_font(22), fill=(255, 255, 255, 255), anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "ICO", sizes=[(32, 32)])
    return buf.getvalue()


def photo_jpeg(seed: int, key: str, width: int = 640, height: int = 360) -> bytes:
    """An editorial 'photo' (abstract scene) for news articles and blogs."""
    r = rand.rng(seed, "photo", key)
    hue = r.random()
    img = Image.new("RGB", (width, height))
    _gradient(img, _color(hue, 0.3, 0.8), _color(hue + 0.1, 0.5, 0.3))
    draw = ImageDraw.Draw(img)
    for _ in range(7):
        x, y = r.randint(0, width), r.randint(0, height)
        s = r.randint(20, 120)
        draw.rectangle([x, y, x + s * 2, y + s], fill=_color(r.random(), 0.4, r.uniform(0.2, 0.9)))
    return encode(img, "JPEG", 80)


def icon_gif(name: str) -> bytes:
    """A 20x22 GIF like Apache's directory-listing icons."""
    img = Image.new("P", (20, 22), 0)
    draw = ImageDraw.Draw(img)
    if name != "blank":
        draw.rectangle([3, 2, 16, 19], outline=1, fill=2 if name == "folder" else 3)
    img.putpalette([255, 255, 255, 0, 0, 0, 230, 200, 90, 200, 200, 200] + [0] * 756)
    return encode(img, "GIF")
