"""Roles and what each may do: one table, read by the API, the console and the tests.

A role is a set of permissions; endpoints ask for a permission, never for a role, so that
changing who may do what is an edit here only.  Scopes (country tags) are orthogonal: they
limit *which* sites a permission applies to (see :mod:`crawler.api.scope`).
"""

from __future__ import annotations

from typing import Final

SITES_READ: Final = "sites.read"
SITES_REVIEW: Final = "sites.review"  # confirm / false positive verdicts
SITES_NOTE: Final = "sites.note"
SITES_STATUS: Final = "sites.status"  # monitored, closed..., and country tags
ALERTS_READ: Final = "alerts.read"
ALERTS_ACK: Final = "alerts.ack"
EXPORTS: Final = "exports"
FLEET_READ: Final = "fleet.read"
EVAL_READ: Final = "eval.read"
CATALOG_WRITE: Final = "catalog.write"
ACCOUNTS: Final = "accounts"
AUDIT_READ: Final = "audit.read"

_VIEWER = frozenset({SITES_READ, ALERTS_READ, EVAL_READ})

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "viewer": _VIEWER,
    "analyst": _VIEWER | {SITES_REVIEW, SITES_NOTE, CATALOG_WRITE},
    "coordinator": _VIEWER | {SITES_REVIEW, SITES_NOTE, SITES_STATUS, ALERTS_ACK, EXPORTS},
    "admin": _VIEWER | {ACCOUNTS, AUDIT_READ, FLEET_READ},
    "ops": frozenset({FLEET_READ, EVAL_READ}),
}

ROLES: Final = tuple(PERMISSIONS)


def allows(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
