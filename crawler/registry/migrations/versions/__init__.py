"""Alembic revisions of the registry, oldest first by ``down_revision``."""
