"""Alembic migration environment of the registry (loaded by Alembic, not imported)."""
