"""Errors the registry raises to its callers."""

from __future__ import annotations


class RegistryUnavailable(RuntimeError):
    """The database can't be reached, opened or migrated.

    The message is one line, ``"<url without password>: <cause>"``, fit for the CLI to print.
    """


class SiteMovedMeanwhile(RuntimeError):
    """A site read in this transaction was merged into another (a relink) before it could be
    locked: the transaction lost a race and is run again from scratch, when it reads the
    domain's new owner."""
