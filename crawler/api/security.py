"""Secrets: argon2 password hashes, bearer tokens and session ids stored only as SHA-256.

Tokens are 32 random bytes; a SHA-256 of that much entropy cannot be brute-forced, so a
fast hash suffices for them (and lets the lookup be one indexed equality).  Passwords are
low-entropy and get argon2id.  Comparisons of CSRF tokens are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "isop_"
MIN_PASSWORD_LEN = 10

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that a wrong username costs as long as a
# wrong password and response times don't reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LEN:
        raise ValueError(f"password too short: at least {MIN_PASSWORD_LEN} characters")
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or corrupt hash is simply a mismatch."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A bearer token, shown once to its owner; only its digest is stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two secrets; a missing one never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
