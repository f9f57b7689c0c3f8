"""Literal strings a regex cannot match without: a page lacking all of them skips the regex.

Python's ``re`` scans a 50 KB text at ~4 ns a character when a pattern starts with ``\\b``,
a lookbehind or an alternation (no literal prefix to jump to), while ``str.__contains__``
finds a literal at memory speed. Most rule patterns carry such a literal (``checksum``,
``.iso``, ``server``...) that most pages lack, so testing for it first skips the scan with the
same answer: a pattern whose every match contains one of the strings cannot match a text that
contains none of them.

The analysis reads ``re``'s own parse tree, conservatively: only case-sensitive patterns,
and a string set is reported only where the tree proves it (a run of literals in the main
sequence, every branch of an alternation, the body of a repeat done at least once). Anything
unknown yields no set, and the pattern always runs.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_p: Any
_c: Any
try:  # Python 3.11+: the parser is private but stable; without it nothing is skipped
    _c = importlib.import_module("re._constants")
    _p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _p = _c = None

_MAX_STRINGS = 20
_MAX_CLASS = 8


def _score(strings: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in strings), -len(strings))


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    usable = [c for c in candidates if c and len(c) <= _MAX_STRINGS and all(c)]
    return max(usable, key=_score) if usable else None


def _required(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of this sequence of nodes contains, or None."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found: frozenset[str] | None = None
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, body = arg
            if not add_flags & re.IGNORECASE:
                found = _required(body)
        elif op is _c.ATOMIC_GROUP:
            found = _required(arg)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, body = arg
            if low >= 1:
                found = _required(body)
        elif op is _c.BRANCH:
            branches = [_required(body) for body in arg[1]]
            if all(branch is not None for branch in branches):
                found = frozenset().union(*branches)  # type: ignore[arg-type]
        elif (
            op is _c.IN
            and len(arg) <= _MAX_CLASS
            and all(kind is _c.LITERAL for kind, _ in arg)
        ):
            found = frozenset(chr(code) for _, code in arg)
        if found is not None:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    return _best(candidates)


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Strings one of which every match of ``pattern`` contains; ``()`` when none is known."""
    if _p is None or pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return ()
    try:
        parsed = _p.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    except Exception:  # the private parser changed: run every pattern
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    found = _required(parsed.data)
    return tuple(sorted(found, key=lambda s: (-len(s), s))) if found else ()


def may_match(literals: tuple[str, ...], text: str) -> bool:
    """False only when ``text`` holds none of a pattern's required ``literals``."""
    return not literals or any(literal in text for literal in literals)
