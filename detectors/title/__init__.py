"""Title and channel matching against a catalog of protected works; importing registers it."""

from detectors.title.detector import TitleDetector

__all__ = ["TitleDetector"]
