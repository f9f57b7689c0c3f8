"""Shared HTML plumbing for the extractors: a recovering lxml parse with a size cap, absolute
URLs, collapsed element text, and the nearest "block" around a node (row, card, post)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import lxml.etree as etree
import lxml.html

from crawler.extract import ParseError
from detectors.heuristic.hosts import url_host

MAX_HTML_BYTES = 8_000_000
_SPACE = re.compile(r"\s+")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:")
_BLOCK_TAGS = frozenset({"tr", "li", "article"})
_BLOCK_CLASS = re.compile(r"(?i)torrent|item|row|post|entry|card|result|wrap|box|release|movie")


def parse_html(body: bytes | str) -> Any:
    """The lxml root of a page (recovering from broken markup); ParseError if nothing parses."""
    if isinstance(body, str):
        body = body.encode("utf-8", "replace")
    body = body[:MAX_HTML_BYTES].replace(b"\x00", b"")
    if not body.strip():
        raise ParseError("empty document")
    parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True,
                                  huge_tree=False)  # fmt: skip
    try:
        root = lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"html: {exc}") from None
    if root is None:
        raise ParseError("html: no root element")
    return root


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``; None for empty, fragment-only or script links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    if href.lower().startswith("magnet:"):
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def text_of(element: Any, limit: int = 4000) -> str:
    """Visible text of an element, whitespace collapsed, at most ``limit`` characters."""
    if element is None:
        return ""
    parts: list[str] = []
    size = 0
    try:
        for piece in element.itertext():
            parts.append(piece)
            size += len(piece)
            if size > limit * 4:
                break
    except (ValueError, AttributeError):
        return ""
    return _SPACE.sub(" ", " ".join(parts)).strip()[:limit]


def classes(element: Any) -> str:
    """The element's class attribute, lower-case ('' if none)."""
    return str(element.get("class") or "").lower()


def block_of(element: Any, max_up: int = 6) -> Any | None:
    """The nearest ancestor that is a listing unit: a table row, list item, article, a div
    whose class says item/card/post/torrent..., or an element repeated with the same tag and
    class among its siblings (the row of a template we have never seen); None if none near."""
    node = element.getparent()
    for _ in range(max_up):
        if node is None or node.tag in ("body", "html", "table", "tbody", "main"):
            return None
        if node.tag in _BLOCK_TAGS or (node.tag == "div" and _BLOCK_CLASS.search(classes(node))):
            return node
        cls = node.get("class")
        parent = node.getparent()
        if cls and parent is not None:
            twins = sum(1 for s in parent if s.tag == node.tag and s.get("class") == cls)
            if twins >= 2:
                return node
        node = node.getparent()
    return None


def host(url: str) -> str:
    """Lower-case host without ``www.`` ('' if none)."""
    return url_host(url)
