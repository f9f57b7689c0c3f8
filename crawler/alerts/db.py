"""An engine on the registry database, migrated, for the commands that read it directly.

The alert, evidence and export commands work on rows the ``Registry`` facade does not
expose (the outbox, the evidence chain, streamed exports); they open the database the same
way ``Registry.open`` does and fail the same way: one ``RegistryUnavailable`` line.
"""

from __future__ import annotations

from sqlalchemy import Engine

from crawler.registry.migrate import open_migrated


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the schema at every head; ``RegistryUnavailable`` if not."""
    return open_migrated(url)
