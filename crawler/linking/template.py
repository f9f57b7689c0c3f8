"""Page-template near-identity: the same site's pages keep their skeleton across domains.

A page becomes the set of *shingles* of its DOM: runs of ``SHINGLE`` consecutive element
paths in document order, a path being the last ``DEPTH`` tags from the root with each tag's
first class and id (``body/div.wrap/table#list/tr``).  Text, URLs and attribute values other
than class/id are ignored, so a mirror with other titles, other links and another domain
has the same set.  Sets are compared by Jaccard similarity, estimated from a MinHash
signature (``PERMS`` 32-bit minima) that fits a database column; LSH band keys let the
registry find near-identical templates with an index lookup instead of a scan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from lxml import etree, html

from crawler.linking.identifiers import decode

SHINGLE = 4
DEPTH = 5
PERMS = 64
BANDS = 16  # PERMS / BANDS rows per band: pairs above ~0.7 Jaccard share a band w.h.p.
MIN_SHINGLES = 20  # a page this small (a redirect stub, an error page) has no template
_RNG = np.random.default_rng(20261123)
_A = (_RNG.integers(1, 2**63, PERMS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _RNG.integers(0, 2**63, PERMS, dtype=np.uint64)


@dataclass(frozen=True)
class TemplateSignature:
    """MinHash of a page's shingles; ``size`` is how many distinct shingles it had."""

    minima: tuple[int, ...]
    size: int

    def to_hex(self) -> str:
        """Compact text form for storage (8 hex digits per minimum)."""
        return "".join(f"{m:08x}" for m in self.minima)

    @classmethod
    def from_hex(cls, text: str, size: int = 0) -> TemplateSignature:
        """Inverse of :meth:`to_hex` (raises ValueError on a malformed string)."""
        if len(text) != 8 * PERMS:
            raise ValueError(f"template signature of {len(text)} hex digits, "
                             f"expected {8 * PERMS}")
        return cls(tuple(int(text[i:i + 8], 16) for i in range(0, len(text), 8)), size)

    def similarity(self, other: TemplateSignature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        same = sum(a == b for a, b in zip(self.minima, other.minima, strict=True))
        return same / PERMS

    def bands(self) -> list[str]:
        """LSH band keys: two signatures sharing one are candidates for a full comparison."""
        rows = PERMS // BANDS
        out = []
        for band in range(BANDS):
            chunk = self.minima[band * rows:(band + 1) * rows]
            digest = hashlib.blake2b(repr(chunk).encode(), digest_size=6).hexdigest()
            out.append(f"{band:02d}:{digest}")
        return out


def _label(element: etree._Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else "#"
    classes = (element.get("class") or "").split()
    ident = element.get("id") or ""
    return tag + (f".{classes[0]}" if classes else "") + (f"#{ident}" if ident else "")


def shingles(body: bytes | str) -> set[str]:
    """The page's DOM shingles (empty for a body lxml cannot make a tree of)."""
    text = decode(body)
    if not text.strip():
        return set()
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return set()
    paths: list[str] = []
    stack: list[tuple[etree._Element, tuple[str, ...]]] = [(root, ())]
    while stack:  # iterative pre-order: deep junk cannot hit the recursion limit
        element, parent = stack.pop()
        if not isinstance(element.tag, str):
            continue
        path = (*parent, _label(element))[-DEPTH:]
        paths.append("/".join(path))
        stack.extend((child, path) for child in reversed(element))
    return {"|".join(paths[i:i + SHINGLE]) for i in range(max(0, len(paths) - SHINGLE + 1))}


def signature(body: bytes | str) -> TemplateSignature | None:
    """MinHash signature of a page's template, or None for a page too small to have one."""
    found = shingles(body)
    if len(found) < MIN_SHINGLES:
        return None
    base = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
         for s in found), dtype=np.uint64, count=len(found))
    with np.errstate(over="ignore"):
        mixed = base[None, :] * _A[:, None] + _B[:, None]  # wraps mod 2**64: a bijection
    minima = (mixed >> np.uint64(32)).min(axis=1)
    return TemplateSignature(tuple(int(m) for m in minima), len(found))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity (for tests and measurements)."""
    return len(a & b) / len(a | b) if a or b else 0.0
