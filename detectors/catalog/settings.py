"""Typed settings of the image detector and its catalog (``config/catalog.yaml``).

Thresholds are data: one pair (pHash, dHash) per named catalog, with a default, so that an
analyst makes logos (simple shapes, more chance look-alikes) stricter than posters without code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detectors.base import DetectorError
from detectors.image.hashing import Quality, Variant

#: ``config/`` of this checkout: sample images are relative to it.
CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "config"
KINDS = ("poster", "still", "logo")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """Largest Hamming distances (of 64 bits) still called a match, per hash."""

    phash: int = Field(10, ge=0, le=32)
    dhash: int = Field(14, ge=0, le=32)


class Thresholds(_Model):
    default: Threshold = Threshold()
    catalogs: dict[str, Threshold] = Field(default_factory=dict)

    def for_catalog(self, name: str) -> Threshold:
        return self.catalogs.get(name, self.default)

    @property
    def max_phash(self) -> int:
        return max([self.default.phash, *(t.phash for t in self.catalogs.values())])


class QualitySettings(_Model):
    min_side: int = Field(32, ge=8)
    min_std: float = Field(6.0, ge=0)
    max_dominant: float = Field(0.95, gt=0, le=1)
    max_pixels: int = Field(60_000_000, ge=1)
    border_tolerance: int = Field(24, ge=0, le=255)
    border_max_trim: float = Field(0.35, ge=0, lt=0.5)

    def quality(self) -> Quality:
        return Quality(**self.model_dump())


class Sample(_Model):
    """A reference shipped with the config (the detector's canary and example)."""

    work: str
    kind: str = "still"
    image: str
    catalog: str = "samples"


class CatalogSettings(_Model):
    #: Folder that relative sample paths start from (the detector config's folder).
    config_dir: str = ""
    catalog_dir: str = ""
    default_catalog: str = "default"
    quality: QualitySettings = QualitySettings()
    variants: list[tuple[float, float, float, float]] = Field(
        default_factory=lambda: [(0.0, 0.0, 0.0, 0.0)]
    )
    untrimmed_variant: bool = True
    query_crops: list[tuple[float, float, float, float]] = Field(
        default_factory=lambda: [(0.0, 0.0, 0.0, 0.0)]
    )
    #: Query crops are cut from the picture as decoded, then trimmed (False: from the trimmed
    #: picture). See detectors.image.hashing: a band on a border stops the trim otherwise.
    query_crops_before_trim: bool = True
    thresholds: Thresholds = Thresholds()
    samples: list[Sample] = Field(default_factory=list)
    weight: float = Field(2.0, ge=0)
    family: str = "generic"
    limits: dict[str, Any] = Field(default_factory=dict)

    def variant_list(self) -> list[Variant]:
        """What is hashed per reference: the configured crops (+ the untrimmed picture)."""
        variants = _crops(self.variants, "variants")
        return [*variants, Variant(trimmed=False)] if self.untrimmed_variant else variants

    def probe_list(self) -> list[Variant]:
        """What is hashed per query: the full trimmed picture and the configured crops."""
        crops = _crops(self.query_crops, "query_crops")
        if not self.query_crops_before_trim:
            return crops
        return [replace(v, cut_first=True) if v.cut else v for v in crops]

    def sample_path(self, sample: Sample) -> Path:
        """Where a sample image is: relative paths start at ``config_dir`` (or config/)."""
        path = Path(sample.image)
        return path if path.is_absolute() else Path(self.config_dir or CONFIG_DIR) / path

    def directory(self) -> Path:
        """The catalog folder: ``catalog_dir``, else ``$ISOP_DATA_DIR/catalog`` (./isop-data)."""
        if self.catalog_dir:
            return Path(self.catalog_dir)
        return Path(os.environ.get("ISOP_DATA_DIR", "./isop-data")) / "catalog"


def _crops(crops: list[tuple[float, float, float, float]], key: str) -> list[Variant]:
    variants = [Variant(*crop) for crop in crops]
    for v in variants:
        sides = (v.left, v.right, v.top, v.bottom)
        if min(sides) < 0 or max(v.left + v.right, v.top + v.bottom) > 0.5:
            raise DetectorError(f"catalog {key}: {list(sides)} must cut 0 to 50 % per axis")
    if not variants or variants[0] != Variant():
        raise DetectorError(f"catalog {key}: the first must be the full picture [0, 0, 0, 0]")
    return variants


def parse_settings(raw: Mapping[str, Any]) -> CatalogSettings:
    """Validate the detector's settings; DetectorError names the offending key."""
    try:
        return CatalogSettings.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DetectorError(f"image catalog settings: {where}: {first['msg']}") from None
