"""Who is asking, and the one filter that keeps a scoped user inside their countries.

Every query over sites (list, detail, evidence, alerts, exports, the review queue) goes
through :func:`visible`; out-of-scope sites are then simply absent, so the API answers 404
for them exactly as for sites that don't exist, and their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select, true
from sqlalchemy.orm import InstrumentedAttribute

from crawler.api.models import SHARED_TAG, SiteTag
from crawler.api.roles import allows


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a console session, an API token, or the CLI."""

    user_id: int | None
    username: str
    role: str
    scopes: tuple[str, ...]  # empty: every country
    via: str  # "console", "token" or "cli"
    address: str | None = None
    csrf_token: str | None = None  # console sessions only

    def can(self, permission: str) -> bool:
        return allows(self.role, permission)

    @property
    def unscoped(self) -> bool:
        return not self.scopes


def visible(
    principal: Principal,
    site_id: ColumnElement[int] | InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
) -> ColumnElement[bool]:
    """SQL condition: the site ``site_id`` is within the principal's scopes.

    A scoped user sees sites carrying one of their tags, or the shared tag; untagged sites
    are visible only to unscoped users (a new site is nobody's national case yet).
    """
    if principal.unscoped:
        return true()
    tags = [*principal.scopes, SHARED_TAG]
    return exists(select(SiteTag.site_id).where(SiteTag.site_id == site_id, SiteTag.tag.in_(tags)))


def normalise_tag(tag: str) -> str:
    """Country tags are upper-case ISO-like codes ("FR", "DE") or the shared tag."""
    value = tag.strip().upper()
    if not value or len(value) > 16 or not all(c.isalnum() or c in "-_" for c in value):
        raise ValueError(f"bad country tag {tag!r}: letters, digits, '-' or '_', at most 16")
    return value
