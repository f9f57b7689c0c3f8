"""Every phrase of every page rule, found in one pass over a page's folded text.

Thirty-odd phrase rules (and the phrase groups inside group rules) each searched the folded
text for their candidate phrases with ``str.find``: a few hundred scans of a 50 KB text per
page. One Aho-Corasick automaton (pyahocorasick, C) holding all of them reports every
occurrence of every phrase, overlapping ones included, in one pass (~0.15 ms for ~1,200
phrases on a 50 KB page); each rule then reads its phrases' places and applies its own
boundary rules (``TermIndex.search_in``), which gives exactly what the ``find`` loop gave.

The automaton is shared by every ``TermIndex`` of the process: an index registers its
phrases when built, and the automaton is rebuilt at the next page after a new phrase
arrives (``version`` tells a page's remembered answer from a stale one).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import ahocorasick

#: Occurrences of all phrases in one text past which the automaton's answer is dropped.
MAX_OCCURRENCES = 20_000


class PhraseSet:
    """Phrases registered by the rules, and where they occur in a text."""

    def __init__(self) -> None:
        self._phrases: set[str] = set()
        self._automaton: Any = None
        self._lock = threading.Lock()
        self.version = 0

    def add(self, phrases: Iterable[str]) -> None:
        """Register phrases (folded, non-empty); a new one invalidates the automaton."""
        with self._lock:
            new = {phrase for phrase in phrases if phrase} - self._phrases
            if new:
                self._phrases |= new
                self._automaton = None
                self.version += 1

    def _built(self) -> Any:
        with self._lock:
            if self._automaton is None:
                automaton = ahocorasick.Automaton()
                for phrase in self._phrases:
                    automaton.add_word(phrase, phrase)
                if len(automaton):
                    automaton.make_automaton()
                self._automaton = automaton
            return self._automaton

    def positions(self, text: str) -> dict[str, list[int]] | None:
        """Registered phrase -> start of each of its occurrences in ``text``, ascending.

        None past ``MAX_OCCURRENCES`` (a hostile page repeating a phrase 100,000 times):
        the rules then search phrase by phrase, stopping at each one's first few places.
        """
        automaton = self._built()
        found: dict[str, list[int]] = {}
        if not len(automaton):
            return found
        for seen, (end, phrase) in enumerate(automaton.iter(text)):
            if seen >= MAX_OCCURRENCES:
                return None
            places = found.get(phrase)
            if places is None:
                found[phrase] = [end - len(phrase) + 1]
            else:
                places.append(end - len(phrase) + 1)
        return found


#: The process's phrase set, shared by every page rule.
PHRASES = PhraseSet()
