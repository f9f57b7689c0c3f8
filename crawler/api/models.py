"""Tables of the API: accounts, API tokens, console sessions, the audit log, site country tags.

They live on the registry's ``Base`` (migration branch 0301) so that one database holds the
sites and who may see them; a scope filter is then one ``EXISTS`` in the same query.
Secrets are never stored: passwords as argon2 hashes, tokens and session ids as SHA-256.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crawler.registry.models import SHA256_HEX_LEN, Base
from crawler.registry.types import UTCDateTime

TAG_LEN = 16
# A site tagged with this is shared with every scoped user (a "shared with all" case).
SHARED_TAG = "ALL"


class User(Base):
    """A person (or a service) who signs in; ``scopes`` empty means every country."""

    __tablename__ = "api_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A machine client's bearer token, stored as its SHA-256; revoked tokens stay for audit."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("api_users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A console login: the cookie carries the id, the table its hash and the CSRF token."""

    __tablename__ = "api_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("api_users.id", ondelete="CASCADE"))
    session_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One state change or export: who, from where, when, what, before and after.

    Append-only: the migration installs triggers that refuse UPDATE and DELETE on both
    SQLite and PostgreSQL, so not even a bug in this code can rewrite history.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))  # console, token, cli
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives sites
    target: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SiteTag(Base):
    """A country tag of a site ("FR", "DE"... or ``SHARED_TAG``): what scopes filter on."""

    __tablename__ = "site_tags"
    __table_args__ = (Index("ix_site_tags_tag_site", "tag", "site_id"),)

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(TAG_LEN), primary_key=True)


class AlertAck(Base):
    """A coordinator's acknowledgement of an outbox alert (the outbox itself is not ours)."""

    __tablename__ = "api_alert_acks"

    alert_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: other branch
    acked_by: Mapped[str] = mapped_column(String(64))
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime)
