"""``python -m crawler.sandbox serve|seeds|truth``: the sandbox CLI without the isop entry point."""

from .cli import sandbox

sandbox()
