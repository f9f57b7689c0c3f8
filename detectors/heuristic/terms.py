"""Multilingual phrase matching on folded text, without regex alternations.

Hundreds of phrases in six languages are searched on text folded once, instead of one huge
regex alternation per rule that Python's engine would try branch by branch at every position:
page rules read their phrases' places from one Aho-Corasick pass shared by every rule
(``search_in``, see ``phrases.py``); other contents use ``str.find`` (``search``). Both apply
the same boundary tests: Latin-script edges must sit on word boundaries; Hangul/CJK edges need
none (particles glue to words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from detectors.heuristic.phrases import PHRASES
from detectors.text import collapse, fold, needs_boundary, words_of

_WORD = re.compile(r"[^\W_]+")
_last_words: tuple[str, frozenset[str]] = ("", frozenset())


def _words(text: str) -> frozenset[str]:
    """The words of ``text``, remembered for the last text asked (rules share one text)."""
    global _last_words
    cached_text, cached = _last_words
    if cached_text is text:
        return cached
    words = frozenset(words_of(text))
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

    def __init__(self, terms: Mapping[str, Sequence[str]], shared: bool = False) -> None:
        """``shared``: register the phrases in the page rules' automaton (``search_in``)."""
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
        self._index_of = {term.folded: i for i, term in enumerate(compiled)}
        if shared:
            PHRASES.add(self._index_of)
        # Phrases by first word, so a text's words pick its candidate phrases (C set ops)
        # instead of a Python loop over every phrase; the rest are always searched.
        # The rest (Hangul, CJK, phrases opening with a sign) by first character.
        self._by_first_word: dict[str, list[int]] = {}
        self._by_first_char: dict[str, list[int]] = {}
        for i, term in enumerate(compiled):
            if term.first_word is not None:
                self._by_first_word.setdefault(term.first_word, []).append(i)
            else:
                self._by_first_char.setdefault(term.folded[0], []).append(i)
        self._first_words = frozenset(self._by_first_word)
        self._first_chars = frozenset(self._by_first_char)

    def __len__(self) -> int:
        return len(self.terms)

    def occurrences(
        self,
        folded_text: str,
        max_per_term: int = 20,
        words: frozenset[str] | None = None,
        chars: frozenset[str] | None = None,
    ) -> Iterator[TermHit]:
        """Every boundary-respecting occurrence (up to ``max_per_term`` per phrase).

        A Latin phrase starts with a whole word, so a text without that word cannot hold the
        phrase, and any phrase needs its first character: one pass collects the text's words
        and characters (shared by every rule searching the same text, or given) and most
        phrases are skipped without a scan.
        """
        size = len(folded_text)
        words = _words(folded_text) if words is None else words
        chars = frozenset(folded_text) if chars is None else chars
        present = self._first_words & words
        starts = self._first_chars & chars
        candidates = sorted(  # in configured order, as the hits are reported
            [i for word in present for i in self._by_first_word[word]]
            + [i for char in starts for i in self._by_first_char[char]]
        )
        for index in candidates:
            term = self.terms[index]
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
        self,
        folded_text: str,
        max_count: int = 20,
        words: frozenset[str] | None = None,
        chars: frozenset[str] | None = None,
    ) -> list[TermHit]:
        """Phrases found in ``folded_text`` (already folded): first occurrence and count.

        ``words`` and ``chars``, when given, are the words and the characters of the text.
        """
        found: dict[str, TermHit] = {}
        for hit in self.occurrences(folded_text, max_count, words, chars):
            first = found.get(hit.term.folded)
            if first is None:
                found[hit.term.folded] = hit
            else:
                found[hit.term.folded] = TermHit(
                    first.term, first.start, first.end, first.count + 1
                )
        return list(found.values())

    def search_in(
        self, folded_text: str, positions: Mapping[str, Sequence[int]], max_count: int = 20
    ) -> list[TermHit]:
        """``search`` from where each phrase occurs (``PHRASES.positions(folded_text)``).

        The same boundary tests on the same occurrences, in the same order, as the ``find``
        loop of ``occurrences``: the same hits, counts and first places. Needs an index
        built with ``shared=True`` (its phrases are in the automaton).
        """
        size = len(folded_text)
        present = sorted(i for phrase in positions if (i := self._index_of.get(phrase)) is not None)
        hits: list[TermHit] = []
        for index in present:
            term = self.terms[index]
            length = len(term.folded)
            count = 0
            first = -1
            for position in positions[term.folded]:
                end = position + length
                left_ok = not term.left or position == 0 or not folded_text[position - 1].isalnum()
                right_ok = not term.right or end == size or not folded_text[end].isalnum()
                if left_ok and right_ok:
                    if count == 0:
                        first = position
                    count += 1
                    if count >= max_count:
                        break
            if count:
                hits.append(TermHit(term, first, first + length, count))
        return hits
