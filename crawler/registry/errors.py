"""Errors the registry raises to its callers."""

from __future__ import annotations


class RegistryUnavailable(RuntimeError):
    """The database can't be reached, opened or migrated.

    The message is one line, ``"<url without password>: <cause>"``, fit for the CLI to print.
    """
