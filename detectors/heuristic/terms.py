"""Multilingual phrase matching on folded text, without regex alternations.

Hundreds of phrases in six languages are searched with ``str.find`` (C speed, linear) on text
folded once, instead of one huge regex alternation per rule that Python's engine would try
branch by branch at every position. Latin-script edges must sit on word boundaries; Hangul/CJK
edges need none (particles glue to words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from detectors.text import collapse, fold, needs_boundary

_WORD = re.compile(r"[^\W_]+")
_PREFILTER_MIN_CHARS = 64
_last_words: tuple[str, frozenset[str]] = ("", frozenset())


def _words(text: str) -> frozenset[str]:
    """The words of ``text``, remembered for the last text asked (rules share one text)."""
    global _last_words
    cached_text, cached = _last_words
    if cached_text is text:
        return cached
    words = frozenset(_WORD.findall(text))
    _last_words = (text, words)
    return words


@dataclass(frozen=True)
class Term:
    """One phrase as configured, its language, and its folded search form."""

    phrase: str
    lang: str
    folded: str
    left: bool
    right: bool
    first_word: str | None = None  # a whole word the text must contain, when one is known


@dataclass(frozen=True)
class TermHit:
    """Where a phrase matched in the text."""

    term: Term
    start: int
    end: int
    count: int


class TermIndex:
    """Finds which configured phrases occur in a text (folded, boundary-aware)."""

    def __init__(self, terms: Mapping[str, Sequence[str]]) -> None:
        seen: set[str] = set()
        compiled: list[Term] = []
        for lang, phrases in terms.items():
            for phrase in phrases:
                folded = fold(collapse(str(phrase)))
                if not folded or folded in seen:
                    continue
                seen.add(folded)
                left = needs_boundary(folded[0])
                first = _WORD.match(folded)
                word = first.group(0) if first and left else ""
                compiled.append(
                    Term(
                        phrase=str(phrase),
                        lang=str(lang),
                        folded=folded,
                        left=left,
                        right=needs_boundary(folded[-1]),
                        first_word=word if word and all(map(needs_boundary, word)) else None,
                    )
                )
        self.terms = tuple(compiled)

    def __len__(self) -> int:
        return len(self.terms)

    def occurrences(
        self, folded_text: str, max_per_term: int = 20, words: frozenset[str] | None = None
    ) -> Iterator[TermHit]:
        """Every boundary-respecting occurrence (up to ``max_per_term`` per phrase).

        A Latin phrase starts with a whole word, so a text without that word cannot hold the
        phrase: one pass collects the text's words (shared by every rule searching the same
        text, or given as ``words``: the words of ``folded_text``) and most phrases are skipped
        without a scan.
        """
        size = len(folded_text)
        if words is None and size > _PREFILTER_MIN_CHARS:
            words = _words(folded_text)
        for term in self.terms:
            if words is not None and term.first_word is not None and term.first_word not in words:
                continue
            count = 0
            position = folded_text.find(term.folded)
            while position != -1 and count < max_per_term:
                end = position + len(term.folded)
                left_ok = not term.left or position == 0 or not folded_text[position - 1].isalnum()
                right_ok = not term.right or end == size or not folded_text[end].isalnum()
                if left_ok and right_ok:
                    count += 1
                    yield TermHit(term, position, end, 1)
                position = folded_text.find(term.folded, position + 1)

    def search(
        self, folded_text: str, max_count: int = 20, words: frozenset[str] | None = None
    ) -> list[TermHit]:
        """Phrases found in ``folded_text`` (already folded): first occurrence and count."""
        found: dict[str, TermHit] = {}
        for hit in self.occurrences(folded_text, max_count, words):
            first = found.get(hit.term.folded)
            if first is None:
                found[hit.term.folded] = hit
            else:
                found[hit.term.folded] = TermHit(
                    first.term, first.start, first.end, first.count + 1
                )
        return list(found.values())
