"""I-SOP crawler: find and watch the sites and servers behind online piracy."""

__version__ = "0.1.0"
