"""Built-in heuristic detectors; importing this package registers them in ``REGISTRY``."""

from detectors.heuristic import dash, listing, page, panel, playlist

__all__ = ["dash", "listing", "page", "panel", "playlist"]
