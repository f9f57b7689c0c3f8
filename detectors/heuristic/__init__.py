"""Built-in heuristic detectors; importing this package registers them in ``REGISTRY``."""

from detectors.heuristic import listing, page, panel, playlist

__all__ = ["listing", "page", "panel", "playlist"]
