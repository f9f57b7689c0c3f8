"""Accounts, tokens and console sessions: the operations behind the CLI and the login form.

Each function works in the caller's session (the caller commits), writes its audit entry,
and raises ``AccountError`` with a one-line message for anything a user can fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crawler.api import audit, security
from crawler.api.models import ApiToken, User, WebSession
from crawler.api.roles import ROLES
from crawler.api.scope import Principal, normalise_tag

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


class AccountError(ValueError):
    """A user-fixable problem with an account operation; the message is one line."""


@dataclass(frozen=True)
class Throttle:
    """Login rate limit per account: ``max_failures`` within the lock, then locked out."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(session: Session, actor: Principal, username: str, role: str,
             scopes: list[str], password: str | None) -> User:  # fmt: skip
    name = username.strip().lower()
    if not name or len(name) > 64 or not set(name) <= USERNAME_CHARS:
        raise AccountError(f"bad username {username!r}: use a-z, 0-9, '.', '_', '-', '@'")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    try:
        tags = sorted({normalise_tag(tag) for tag in scopes})
        hashed = security.hash_password(password) if password is not None else None
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    _may_manage(actor, tags)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = User(username=name, role=role, scopes=tags, password_hash=hashed, disabled=False,
                failed_logins=0, created_at=_now())  # fmt: skip
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", target=name, after={"role": role, "scopes": tags})
    return user


def _may_manage(actor: Principal, scopes: list[str]) -> None:
    """A scoped admin (a national unit's) manages only accounts inside its own countries:
    creating an unscoped account, or a token for one, would escape the scope."""
    if actor.unscoped:
        return
    if not scopes or not set(scopes) <= set(actor.scopes):
        raise ScopeError(f"your accounts are limited to {', '.join(actor.scopes)}")


class ScopeError(AccountError):
    """A scoped admin reaching outside its countries."""


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def disable_user(session: Session, actor: Principal, username: str) -> None:
    """Disable the account and end its sessions; its tokens stop working at once."""
    user = find_user(session, username)
    _may_manage(actor, user.scopes)
    if not user.disabled:
        user.disabled = True
        for web_session in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
            session.delete(web_session)
        audit.record(session, actor, "user.disable", target=user.username,
                     before={"disabled": False}, after={"disabled": True})  # fmt: skip


def create_token(session: Session, actor: Principal, username: str, name: str) -> tuple[int, str]:
    """Returns ``(token id, token)``: the token is shown this once and never stored."""
    user = find_user(session, username)
    _may_manage(actor, user.scopes)
    if user.disabled:
        raise AccountError(f"user {user.username!r} is disabled")
    token = security.new_token()
    row = ApiToken(user_id=user.id, name=name[:64] or "token",
                   token_sha256=security.digest(token), created_at=_now())  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.create", target=f"{user.username}/{row.id}",
                 after={"name": row.name})  # fmt: skip
    return row.id, token


def revoke_token(session: Session, actor: Principal, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    owner = session.get(User, row.user_id) if row is not None else None
    if row is None or owner is None:
        raise AccountError(f"no token with id {token_id}")
    _may_manage(actor, owner.scopes)
    if row.revoked_at is None:
        row.revoked_at = _now()
        audit.record(session, actor, "token.revoke", target=str(token_id),
                     after={"revoked_at": row.revoked_at.isoformat()})  # fmt: skip


TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The live user owning ``token`` and the token's row; revoked tokens and disabled users
    get None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == security.digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def token_use_is_stale(row: ApiToken) -> bool:
    """Whether ``last_used_at`` is worth a write: at most one per token per minute, so that
    reads stay reads (on SQLite every write takes the database's one write lock)."""
    return row.last_used_at is None or _now() - row.last_used_at > TOKEN_USE_GRANULARITY


def touch_token(session: Session, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = _now()


def login(session: Session, username: str, password: str, address: str | None,
          ttl: timedelta, throttle: Throttle) -> tuple[str, WebSession] | None:  # fmt: skip
    """A new session (cookie value, row) for good credentials, else None.

    Raises ``LockedOut`` while the account is locked after too many failures; the lock holds
    even for the right password, so guessing cannot continue at any speed.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    now = _now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise LockedOut(user.locked_until)
    ok = security.verify_password(user.password_hash if user else None, password)
    who = Principal(None, (user.username if user else username.strip().lower())[:64], "-", (),
                    "console", address)  # fmt: skip
    if user is None or not ok or user.disabled:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= throttle.max_failures:
                user.locked_until, user.failed_logins = now + throttle.lockout, 0
        audit.record(session, who, "login.failed")
        return None
    user.failed_logins, user.locked_until = 0, None
    session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                             WebSession.expires_at <= now))  # fmt: skip
    cookie = security.new_session_id()
    row = WebSession(user_id=user.id, session_sha256=security.digest(cookie),
                     csrf_token=security.new_csrf_token(), created_at=now,
                     expires_at=now + ttl)  # fmt: skip
    session.add(row)
    audit.record(session, who, "login")
    return cookie, row


class LockedOut(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed logins: locked until {until.isoformat()}")
        self.until = until


def session_user(session: Session, cookie: str) -> tuple[User, WebSession] | None:
    row = session.scalar(
        select(WebSession).where(WebSession.session_sha256 == security.digest(cookie))
    )
    if row is None or row.expires_at <= _now():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def logout(session: Session, cookie: str) -> None:
    row = session.scalar(
        select(WebSession).where(WebSession.session_sha256 == security.digest(cookie))
    )
    if row is not None:
        session.delete(row)


def list_users(session: Session, actor: Principal | None = None) -> list[dict[str, object]]:
    """Every account, or for a scoped admin the accounts inside its countries."""
    tokens: dict[int, int] = {}
    for token in session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))):
        tokens[token.user_id] = tokens.get(token.user_id, 0) + 1
    return [
        {"id": u.id, "username": u.username, "role": u.role, "scopes": list(u.scopes),
         "disabled": u.disabled, "live_tokens": tokens.get(u.id, 0),
         "created_at": u.created_at.isoformat()}
        for u in session.scalars(select(User).order_by(User.username))
        if actor is None or actor.unscoped or (u.scopes and set(u.scopes) <= set(actor.scopes))
    ]  # fmt: skip


def principal_of(user: User, via: str, address: str | None, csrf: str | None = None) -> Principal:
    return Principal(user.id, user.username, user.role, tuple(user.scopes), via, address, csrf)
