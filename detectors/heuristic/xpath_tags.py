"""The element name an XPath rule cannot match without, so a page lacking it skips the XPath.

libxml2 answers ``//article`` by building the node-set of every node of the document (~0.2 ms
on a 50 KB page, and rules ask a handful of such questions), while ``root.iter("article")``
walks the elements in C and stops at the first one (~0.01 ms). Most pages have no
``<article>``, no ``<time>``: for an expression whose every result is an element of one name,
no such element means no result, whatever the predicates say; and ``//name`` alone is answered
by the walk outright. Before the walk, the lower-cased markup must hold ``<name`` at all (a
C substring search, shared by every expression of the page).

Shapes recognised (anything else returns None and the XPath always runs):

- ``//name`` and ``//name[...][...]`` (balanced predicates, quotes respected, nothing after):
  every node found is a ``name`` element;
- ``count(//name) >= N`` / ``count(//name) > N`` with a positive threshold: zero such
  elements make it false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NAME = r"[A-Za-z_][\w.-]*"
_STEP = re.compile(rf"//({_NAME})")
_COUNT = re.compile(rf"count\(\s*//({_NAME})\s*\)\s*(>=|>)\s*(\d+)")


@dataclass(frozen=True)
class TagNeed:
    """An element name the expression needs; ``exact``: its existence is the whole answer."""

    tag: str
    exact: bool


def _predicates_end(text: str, start: int) -> int | None:
    """Where a run of ``[...]`` predicates starting at ``start`` ends (None: unbalanced)."""
    depth = 0
    quote = ""
    position = start
    while position < len(text):
        char = text[position]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            return position  # a character outside any predicate: the step is over
        position += 1
    return position if depth == 0 and not quote else None


def tag_need(expression: str) -> TagNeed | None:
    """The element name ``expression`` needs to find anything, if its shape says so."""
    text = expression.strip()
    count = _COUNT.fullmatch(text)
    if count is not None:
        threshold = int(count.group(3))
        if count.group(2) == ">=" and threshold < 1:
            return None  # count(...) >= 0 is true on any page
        return TagNeed(count.group(1), exact=False)
    step = _STEP.match(text)
    if step is None:
        return None
    end = _predicates_end(text, step.end())
    if end != len(text):
        return None  # more steps, an operator, a union...: not one element name
    return TagNeed(step.group(1), exact=step.end() == len(text))


def markup_may_have_tag(markup_lower: bytes, tag: str) -> bool:
    """False only when no element named ``tag`` can be in the tree parsed from the markup.

    ``markup_lower`` is the markup as UTF-8 with ASCII letters lower-cased. The HTML parser
    makes an element of a start tag ``<name``, lower-casing ASCII letters only, and invents
    only html, head, body and p. Other names (upper case, non-ASCII): the walk answers.
    """
    if not tag.isascii() or tag != tag.lower() or tag in ("html", "head", "body", "p"):
        return True
    return b"<" + tag.encode("ascii") in markup_lower


def has_element(root: Any, tag: str) -> bool:
    """Whether the document of ``root`` has an element named ``tag``.

    The root's following siblings count: markup after ``</html>`` can make a second
    top-level element, which ``//name`` searches too.
    """
    return any(next(top.iter(tag), None) is not None for top in (root, *root.itersiblings()))
