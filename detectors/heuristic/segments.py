"""A page's one-line texts (link texts, text nodes, release names) and the scene tags in them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from detectors.base import DetectorError
from detectors.heuristic.html_facts import PageFacts
from detectors.heuristic.literals import CandidateScan
from detectors.heuristic.page_check_models import ReleaseNamesCheck
from detectors.heuristic.rules import Hit
from detectors.text import fold, joined_lines, shorten, texts_with_match

_MAX_DISTINCT = 200


def segments_matching(
    folded: Sequence[str],
    patterns: Sequence[re.Pattern[str] | CandidateScan],
    joined_starts: tuple[str, list[int]] | None = None,
) -> list[int] | None:
    """Indices of the one-line texts each of ``patterns`` finds something in (None: no test).

    One pass per pattern over the texts joined by newlines, instead of one search per text
    (a 50 KB page has ~800 link and text segments). Same answer as searching each text: a
    text holds no newline, the tag patterns match none and their edges (not a letter or
    digit) see a newline as they see the text's start or end; and a search from each text's
    start finds its first match, since no match runs on past the newline before it.
    """
    if not patterns:
        return None
    joined, starts = joined_starts if joined_starts is not None else joined_lines(folded)
    if joined.count("\n") != max(0, len(folded) - 1):  # a text with a newline: one by one
        return [i for i, text in enumerate(folded) if all(p.search(text) for p in patterns)]
    keep: set[int] | None = None
    for pattern in patterns:
        hits = set(texts_with_match(pattern, joined, starts))
        keep = hits if keep is None else keep & hits
    return sorted(keep or ())


def _tag_pattern(tags: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(fold(t)) for t in sorted(tags, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def _tag_scan(tags: list[str]) -> re.Pattern[str] | CandidateScan:
    """The tag pattern for long texts: found by its tags (re jumps to their first characters
    in C), then checked with the lookbehind; the same matches as the pattern itself."""
    pattern = _tag_pattern(tags)
    if not all(fold(tag) for tag in tags):
        return pattern  # an empty tag matches the empty string: keep the plain scan
    alternatives = "|".join(re.escape(fold(t)) for t in sorted(tags, key=len, reverse=True))
    return CandidateScan(pattern, re.compile(rf"(?:{alternatives})(?![a-z0-9])"))


def release_names(check: ReleaseNamesCheck) -> Callable[[PageFacts], Hit]:
    """The ``release_names`` check: texts carrying tags from enough tag groups."""
    groups = {name: _tag_pattern(tags) for name, tags in check.tags.items() if tags}
    unknown = set(check.required) - set(groups)
    if unknown:
        raise DetectorError(f"release_names requires unknown tag groups {sorted(unknown)}")

    required = [_tag_scan(check.tags[name]) for name in check.required]
    # A tag spanning a newline could match across two joined texts: then search one by one.
    joinable = not any("\n" in tag for tags in check.tags.values() for tag in tags)

    def match(facts: PageFacts) -> Hit:
        found: dict[str, str] = {}
        folded_segments = facts.folded_segments
        joined = facts.joined_segments
        candidates = segments_matching(folded_segments, required, joined) if joinable else None
        checked: set[str] = set()
        for index in candidates if candidates is not None else range(len(folded_segments)):
            segment, folded = facts.segments[index], folded_segments[index]
            if folded in checked:
                continue  # a link's text is also a text node: same answer, first one kept
            checked.add(folded)
            present = {name for name, pattern in groups.items() if pattern.search(folded)}
            if len(present) >= check.min_groups and set(check.required) <= present:
                found.setdefault(folded, f"«{shorten(segment, 90)}»")
                if len(found) >= _MAX_DISTINCT:
                    break
        return Hit(len(found), tuple(found.values()))

    return match
