"""Built-in heuristic detectors; importing this package registers them in ``REGISTRY``."""

from detectors.heuristic import page, panel, playlist

__all__ = ["page", "panel", "playlist"]
