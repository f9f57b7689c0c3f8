"""Closed vocabularies of the registry, kept in one place for the models and the store."""

from __future__ import annotations

from typing import Final

SITE_KINDS: Final = frozenset({"index", "streaming", "iptv"})

SITE_STATUSES: Final = frozenset(
    {
        "candidate",
        "confirmed",
        "monitored",
        "down",
        "parked",
        "seized",
        "moved",
        "false_positive",
        "closed",  # a case a coordinator closed: kept, never revisited, reopened by hand
    }
)

DOMAIN_ROLES: Final = frozenset({"primary", "alias", "former", "mirror"})

# How an alias was linked decides its role; anything else is a plain alias.
ROLE_BY_LINK: Final = {"redirect": "former", "mirror": "mirror"}
