"""Thumbnails of scraped images, re-encoded by our server: never the pirate's bytes.

The re-encoding lives with the image catalog (:mod:`detectors.catalog.thumbs`), which keeps a
thumbnail of every reference image; the console uses the same code for anything it shows.
"""

from __future__ import annotations

from detectors.catalog.thumbs import (
    ALLOWED_FORMATS,
    MAX_BYTES,
    MAX_PIXELS,
    THUMB_SIZE,
    NotAnImage,
    reencode,
)

__all__ = ["ALLOWED_FORMATS", "MAX_BYTES", "MAX_PIXELS", "THUMB_SIZE", "NotAnImage", "reencode"]
