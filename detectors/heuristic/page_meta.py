"""What a page says about itself in markup: meta tags and schema.org / Open Graph types."""

from __future__ import annotations

import json
from typing import Any

from detectors.text import collapse

_MAX_SCRIPT_CHARS = 300_000
_MAX_JSONLD_NODES = 2000


def schema_types(
    root: Any, markup_lower: bytes, meta: dict[str, str], scripts: list[Any]
) -> frozenset[str]:
    """schema.org / Open Graph types: og:type, microdata itemtype, JSON-LD @type.

    ``markup_lower`` is the markup as UTF-8 with ASCII letters lower-cased.
    """
    types: set[str] = set()
    if meta.get("og:type"):
        types.add(meta["og:type"].lower())
    # An itemtype attribute needs the letters in the markup (names are ASCII, any case):
    # a C byte search instead of a Python-predicate walk of every element.
    if b"itemtype" in markup_lower:
        for node in root.iterfind(".//*[@itemtype]"):
            types.add(str(node.get("itemtype")).rstrip("/").rsplit("/", 1)[-1].lower())
    for script in scripts:  # root.iterfind(".//script[@type]")
        if script is root or script.get("type") is None:
            continue
        if "ld+json" not in str(script.get("type")).lower():
            continue
        try:
            stack: list[Any] = [json.loads((script.text or "")[:_MAX_SCRIPT_CHARS])]
        except ValueError:
            continue
        seen = 0
        while stack and seen < _MAX_JSONLD_NODES:
            node = stack.pop()
            seen += 1
            if isinstance(node, dict):
                kind = node.get("@type")
                for value in kind if isinstance(kind, list) else [kind]:
                    if isinstance(value, str):
                        types.add(value.lower())
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return frozenset(types)


def meta_tags(metas: list[Any]) -> dict[str, str]:
    """``<meta>`` property/name/itemprop -> content (first one of each key)."""
    found: dict[str, str] = {}
    for node in metas:
        key = node.get("property") or node.get("name") or node.get("itemprop")
        content = node.get("content")
        if key and content:
            found.setdefault(str(key).lower(), collapse(str(content)))
    return found
