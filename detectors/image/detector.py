"""The ``image_phash`` detector: does this image copy a protected poster, still or logo?

It hashes the image (quality floor, borders trimmed) and looks it up in the reference catalog
(``config/catalog.yaml`` says where and with which thresholds). A match is strong, kind-neutral
evidence: a page showing a studio's poster is not infringing by itself (reviews show posters
too), so the signal is ``generic`` and the fusion needs other evidence beside it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, ClassVar

from PIL import Image, ImageDraw, ImageOps

from detectors.base import Content, Detector, Example, Signal
from detectors.catalog.matcher import Match
from detectors.catalog.service import ImageCatalog
from detectors.catalog.settings import CONFIG_DIR, parse_settings
from detectors.image.hashing import ImageRejected
from detectors.registry import REGISTRY
from detectors.text import shorten

SAMPLE = CONFIG_DIR / "images" / "testcard.png"


@REGISTRY.register
class ImagePhashDetector(Detector):
    """Perceptual-hash lookup of images in the catalog of protected works."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"image"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.settings = parse_settings(config)
        self._catalog: ImageCatalog | None = None
        self.max_evidence = int(dict(config.get("limits") or {}).get("max_evidence_chars", 240))

    @classmethod
    def get_name(cls) -> str:
        return "image_phash"

    @property
    def catalog(self) -> ImageCatalog:
        if self._catalog is None:
            self._catalog = ImageCatalog(self.settings)
        return self._catalog

    def detect(self, content: Content) -> list[Signal]:
        if not content.body:
            return []
        try:
            match = self.catalog.match(content.body)
        except ImageRejected:
            return []
        if match is None:
            return []
        return [self._signal(match)]

    def _signal(self, match: Match) -> Signal:
        ref = match.reference
        limit = self.settings.thresholds.for_catalog(ref.catalog).phash
        score = 1.0 - 0.5 * match.phash_distance / (limit + 1)
        variant = self.catalog.variants[match.variant].label
        evidence = (
            f"copy of the {ref.kind} of {ref.work!r} (catalog {ref.catalog}, reference "
            f"{ref.source}; pHash distance {match.phash_distance}, dHash "
            f"{match.dhash_distance}, {variant})"
        )
        return self.signal(
            "catalog_match",
            round(score, 3),
            shorten(evidence, self.max_evidence),
            self.settings.family,
            self.settings.weight,
        )

    @classmethod
    def get_examples(cls) -> list[Example]:
        card = Image.open(SAMPLE).convert("RGB")
        width, height = card.size
        pirate = card.crop((int(width * 0.06), 0, width, int(height * 0.95)))
        pirate = ImageOps.expand(pirate.resize((300, 160)), border=(0, 30), fill=(0, 0, 0))
        ImageDraw.Draw(pirate).text((8, 190), "WATCH FREE HD", fill=(255, 255, 0))
        other = Image.new("RGB", (400, 300), (30, 90, 40))
        draw = ImageDraw.Draw(other)
        for i in range(12):
            draw.ellipse((i * 30, i * 20, i * 30 + 90, i * 20 + 60), fill=(20 * i, 200 - 9 * i, 90))
        url = "http://img.example/"
        return [
            Example(Content(url + "a.jpg", "image", _jpeg(pirate, 40)), True,
                    "test card recompressed, cropped, resized, letterboxed, captioned"),
            Example(Content(url + "b.jpg", "image", _jpeg(other, 80)), False, "another picture"),
            Example(Content(url + "c.png", "image", _png(Image.new("RGB", (300, 200), "white"))),
                    False, "blank image (quality floor)"),
            Example(Content(url + "d.png", "image", _png(card.resize((20, 12)))), False,
                    "the test card, but tiny (quality floor)"),
            Example(Content(url + "e.jpg", "image", b"<html>not an image</html>"), False,
                    "not an image"),
        ]  # fmt: skip


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
