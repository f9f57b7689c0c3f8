"""Deterministic randomness: every random choice is keyed by (seed, purpose...).

Keying by purpose instead of drawing from one shared stream means adding a page to one site
never changes the bytes of another site, and the same seed always gives the same web.
"""

from __future__ import annotations

import hashlib
import random
import string


def _digest(seed: int, keys: tuple[object, ...]) -> bytes:
    text = "\x1f".join([str(seed), *(str(k) for k in keys)])
    return hashlib.sha256(text.encode("utf-8")).digest()


def rng(seed: int, *keys: object) -> random.Random:
    """A private random stream for one purpose."""
    return random.Random(int.from_bytes(_digest(seed, keys)[:8], "big"))


def hexid(seed: int, *keys: object, n: int = 40) -> str:
    """Stable lowercase hex id of ``n`` characters (n <= 64)."""
    return _digest(seed, keys).hex()[:n]


def alnum(seed: int, *keys: object, n: int = 12, upper: bool = False) -> str:
    """Stable alphanumeric id, like a file host's file id."""
    r = rng(seed, "alnum", *keys)
    alphabet = string.ascii_lowercase + string.digits
    if upper:
        alphabet += string.ascii_uppercase
    return "".join(r.choice(alphabet) for _ in range(n))


def stable_int(seed: int, *keys: object, lo: int = 0, hi: int = 1_000_000) -> int:
    """Stable integer in [lo, hi]."""
    return rng(seed, "int", *keys).randint(lo, hi)


def fraction(*keys: object) -> float:
    """Stable float in [0, 1) from keys alone (used per request path, seed-independent)."""
    return int.from_bytes(_digest(0, keys)[:8], "big") / 2**64

