"""Input checks of the public store methods: fail early, with a message that says what to fix.

Bad input must never reach the database, where it would surface later as a confusing
constraint error (or, worse, be stored).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from crawler.domains import registered_domain
from crawler.registry.models import DOMAIN_LEN
from crawler.registry.vocab import SITE_KINDS

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def domain(value: object, what: str = "domain") -> str:
    """A lower-case registered domain (``yts.mx``), an IP address or a single-label host."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    if value != value.strip().lower():
        raise ValueError(f"{what} must be lower-case without spaces, got {value!r}")
    if _is_ip(value):
        return value
    labels = value.split(".")
    if len(value) > DOMAIN_LEN or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{what} {value!r} is not a host name (letters, digits, '-', '.')")
    expected = registered_domain(value)
    if expected != value:
        raise ValueError(f"{what} {value!r} is not a registered domain: pass {expected!r}")
    return value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def score(value: object, what: str = "score") -> float:
    """A finite number within [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{what} must be within [0, 1], got {value!r}")
    return float(value)


def text(value: object, what: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ValueError(f"{what} must be a {'' if empty else 'non-empty '}string, got {value!r}")
    return value


def kind(value: object) -> str | None:
    if value is not None and value not in SITE_KINDS:
        raise ValueError(f"kind must be one of {sorted(SITE_KINDS)} or None, got {value!r}")
    return value


def sha256_hex(value: object, what: str = "content_sha256") -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValueError(f"{what} must be 64 lower-case hex digits, got {value!r}")
    return value


def aware(value: object, what: str) -> datetime:
    """A timezone-aware datetime: a naive one is ambiguous across crawler hosts."""
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (e.g. datetime.now(UTC)), got {value!r}")
    return value


def signals(value: object) -> list[dict[str, Any]]:
    """A list of JSON objects that every backend can store (no NaN, no Infinity)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError(f"signals must be a list of dicts, got {type(value).__name__}")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"signals must be JSON-serialisable: {exc}") from None
    return value


def aliases(value: Iterable[tuple[str, str]], owner: str) -> list[tuple[str, str]]:
    """``(domain, how_linked)`` pairs, without the page's own domain and duplicates."""
    result: dict[str, str] = {}
    for item in value:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise ValueError(f"aliases must be (domain, how_linked) pairs, got {item!r}")
        alias = domain(item[0], "alias domain")
        how = text(item[1], f"how_linked of alias {alias!r}")
        if len(how) > 32:
            raise ValueError(f"how_linked of alias {alias!r} is longer than 32 characters")
        if alias != owner:
            result.setdefault(alias, how)
    return list(result.items())
