"""Check types for HTML pages: the code behind each ``check: {type: ...}`` in the page rules.

Every check counts *distinct* things (phrases, URLs, release names...), so that a page repeating
one phrase a hundred times scores like a page that says it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import lxml.etree as etree
from pydantic import ValidationError

from detectors.base import DetectorError
from detectors.heuristic.hosts import HostSet, site_of
from detectors.heuristic.html_facts import PageFacts
from detectors.heuristic.literals import (
    boundary_scan,
    lowered_literals,
    markup_lower_may_hold,
    may_match,
    may_match_any_case,
    required_literals,
    required_literals_any_case,
    whole_word_length,
    xpath_literals,
)
from detectors.heuristic.page_check_models import (
    ADAPTER,
    GroupsCheck,
    NumberCheck,
    RegexCheck,
    ReleaseNamesCheck,
    SchemaTypesCheck,
    TermsCheck,
    UrlsCheck,
    XPathCheck,
)
from detectors.heuristic.rules import NO_HIT, CheckBase, Hit, compile_folded, compile_pattern
from detectors.heuristic.segments import release_names
from detectors.heuristic.terms import TermIndex
from detectors.heuristic.xpath_tags import has_element, markup_may_have_tag, tag_need
from detectors.text import collapse, fold, shorten, snippet

Matcher = Callable[[PageFacts], Hit]
_MAX_DISTINCT = 200
_URL_CHARS = 110


def _terms(check: TermsCheck) -> Matcher:
    index = TermIndex(check.terms, shared=check.field == "text")

    def match(facts: PageFacts) -> Hit:
        original = facts.title if check.field == "title" else facts.text
        positions = facts.phrase_positions() if check.field == "text" else None
        if positions is not None:
            hits = index.search_in(facts.folded, positions)
        elif check.field == "text":
            hits = index.search(facts.folded, words=facts.word_set, chars=facts.char_set)
        else:
            hits = index.search(facts.field(check.field))
        examples = tuple(
            f'"{hit.term.phrase}" [{hit.term.lang}] «{snippet(original, hit.start, hit.end)}»'
            for hit in sorted(hits, key=lambda h: h.start)
        )
        return Hit(len(hits), examples)

    return match


def _regex(check: RegexCheck) -> Matcher:
    folded = check.field in ("text", "title") and not check.case_sensitive
    patterns = [compile_folded(p) if folded else compile_pattern(p, check.case_sensitive)
                for p in check.patterns]  # fmt: skip
    needles = [required_literals(pattern) for pattern in patterns]
    any_case = [required_literals_any_case(pattern) for pattern in patterns]
    scans = [boundary_scan(pattern) for pattern in patterns]
    # Whole-word patterns (hex checksums) need a word that long in the page's words.
    word_lengths = [whole_word_length(pattern) if folded else 0 for pattern in patterns]

    def match(facts: PageFacts) -> Hit:
        haystack = facts.field(check.field)
        original = {"text": facts.text, "raw_text": facts.text, "title": facts.title}.get(
            check.field, haystack
        )
        seen: dict[str, str] = {}
        for pattern, literals, lowered, length in zip(
            scans, needles, any_case, word_lengths, strict=True
        ):
            if length and check.field == "text" and facts.longest_word < length:
                continue  # no word of the page is that long: no match, no scan
            if not may_match(literals, haystack) or not may_match_any_case(lowered, haystack):
                continue  # a string every match holds is absent: no match, no scan
            for found in pattern.finditer(haystack):
                key = collapse(found.group(0)).lower()
                if key and key not in seen:
                    seen[key] = f"«{snippet(original, found.start(), found.end(), 30)}»"
                if len(seen) >= _MAX_DISTINCT:
                    break
        return Hit(len(seen), tuple(seen.values()))

    return match


def _to_number(raw: str) -> float | None:
    digits = re.sub(r"[^\d]", "", raw)
    return float(digits) if digits and len(digits) <= 9 else None


def _number(check: NumberCheck) -> Matcher:
    patterns = [compile_folded(p) for p in check.patterns]  # matched on the folded text
    for pattern in patterns:
        if "n" not in pattern.groupindex:
            raise DetectorError(f"number pattern {pattern.pattern!r} needs a (?P<n>...) group")

    near = [fold(word) for word in check.near if word]
    needles = [required_literals(pattern) for pattern in patterns]
    scans = [boundary_scan(pattern) for pattern in patterns]

    def windows(text: str) -> list[tuple[int, int]]:
        if not near:
            return [(0, len(text))]
        spans: list[tuple[int, int]] = []
        for word in near:
            position = text.find(word)
            while position != -1 and len(spans) < 10_000:
                spans.append((max(0, position - check.window), position + len(word) + 5))
                position = text.find(word, position + 1)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def match(facts: PageFacts) -> Hit:
        seen: dict[str, str] = {}
        live = [p for p, lit in zip(scans, needles, strict=True) if may_match(lit, facts.folded)]
        if not live:
            return NO_HIT
        for start, end in windows(facts.folded):
            for pattern in live:
                for found in pattern.finditer(facts.folded, start, end):
                    value = _to_number(found.group("n"))
                    if value is not None and "k" in pattern.groupindex and found.group("k"):
                        value *= 1000
                    if value is not None and value >= check.min_value:
                        seen.setdefault(
                            collapse(found.group(0)),
                            f"«{snippet(facts.text, *found.span(), 30)}»",
                        )
        return Hit(len(seen), tuple(seen.values()))

    return match


def _urls(check: UrlsCheck) -> Matcher:
    include = HostSet(check.hosts)
    exclude = HostSet(check.exclude_hosts)
    pattern = compile_pattern(check.pattern) if check.pattern else None
    sources = frozenset(check.sources) if check.sources else None

    has_include, has_exclude = bool(include), bool(exclude)
    lowered = required_literals_any_case(pattern) if pattern is not None else ()

    def match(facts: PageFacts) -> Hit:
        if lowered and not may_match_any_case(lowered, facts.field("urls")):
            return NO_HIT  # no URL can match the pattern: nothing matched, scores 0
        matched: dict[str, str] = {}
        considered = 0
        own_site = site_of(facts.host)
        # Every test but the pattern depends on the host alone: decide once per host (a
        # page links a few hosts many times), then walk only the links of kept hosts.
        kept: dict[str, str | None] = {}
        for host, count in facts.hosts_from(sources).items():
            if has_exclude and exclude.match(host):
                continue
            if check.third_party and (not host or site_of(host) == own_site):
                continue
            considered += count
            entry = include.match(host) if has_include else None
            if not has_include or entry is not None:
                kept[host] = entry
        for link in facts.links_from(sources) if kept else ():
            if link.host not in kept:
                continue
            if pattern is not None and not pattern.search(link.url):
                continue
            entry = kept[link.host]
            label = f"{entry}: " if entry else ""
            matched.setdefault(link.url, f"{label}{shorten(link.url, _URL_CHARS)}")
        if check.exclusive and len(matched) < considered:
            return NO_HIT
        return Hit(len(matched), tuple(matched.values()))

    return match


def _xpath(check: XPathCheck) -> Matcher:
    try:
        compiled = [(expr, etree.XPath(expr)) for expr in check.expressions]
    except etree.XPathSyntaxError as exc:
        raise DetectorError(f"bad xpath in {check.expressions!r}: {exc}") from exc

    # Expressions that test every element ("//*[...]") cost ~10x one that names its element:
    # run the named ones first, so a page that misses them stops before the costly ones.
    order = sorted(range(len(compiled)), key=lambda i: "//*" in compiled[i][0])
    needles = [lowered_literals(xpath_literals(expr)) for expr in check.expressions]
    tags = [tag_need(expr) for expr in check.expressions]

    def match(facts: PageFacts) -> Hit:
        if facts.root is None:
            return NO_HIT
        matched: set[int] = set()
        for done, index in enumerate(order):
            if len(matched) + len(order) - done < check.min_count:
                return NO_HIT  # too few expressions left to reach min_count: scores 0 anyway
            expr, xpath = compiled[index]
            hit = facts.xpath_hits.get(expr)
            need = tags[index]
            if hit is None and need is not None:  # no XPath when the element is missing
                present = markup_may_have_tag(facts.markup_lower, need.tag) and has_element(
                    facts.root, need.tag
                )
                if need.exact or not present:
                    hit = facts.xpath_hits[expr] = present
            if hit is None and not markup_lower_may_hold(needles[index], facts.markup_lower):
                hit = facts.xpath_hits[expr] = False  # no attribute can hold its texts
            if hit is None:  # rules share expressions ("//article"): each runs once a page
                result = xpath(facts.root)
                if isinstance(result, bool | float | int):
                    hit = bool(result)
                else:
                    hit = isinstance(result, list) and len(result) > 0
                facts.xpath_hits[expr] = hit
            if hit:
                matched.add(index)
        examples = [expr for index, (expr, _) in enumerate(compiled) if index in matched]
        return Hit(len(examples), tuple(examples))

    return match


def _schema(check: SchemaTypesCheck) -> Matcher:
    wanted = {t.lower() for t in check.types}

    def match(facts: PageFacts) -> Hit:
        found = sorted(wanted & facts.schema_types)
        return Hit(len(found), tuple(found))

    return match


#: Relative cost of a check type on a 50 KB page (measured), for ordering group evaluation.
_COST = {"schema_types": 0, "terms": 1, "number": 2, "urls": 2, "regex": 3,
         "release_names": 4, "groups": 4, "xpath": 5}  # fmt: skip


def _groups(check: GroupsCheck) -> Matcher:
    built = {name: build_check(raw) for name, raw in check.groups.items()}
    unknown = set(check.required) - set(built)
    if unknown:
        raise DetectorError(f"groups check requires unknown groups {sorted(unknown)}")

    required = list(dict.fromkeys(check.required))
    # Cheap groups first (the answer is the same in any order; evidence keeps config order),
    # so that a page missing the cheap cues never pays for the XPath ones.
    optional = sorted(
        (name for name in built if name not in required),
        key=lambda name: _COST.get(getattr(built[name][0], "type", ""), 3),
    )

    def fires(name: str, facts: PageFacts) -> Hit | None:
        sub, matcher = built[name]
        hit = matcher(facts)
        return hit if sub.score(hit.count) > 0 else None

    def match(facts: PageFacts) -> Hit:
        # Same answer as evaluating every group, but it stops as soon as the outcome is
        # known: a required group missing, or too few groups left to reach min_count.
        hits: dict[str, Hit] = {}
        for name in required:
            hit = fires(name, facts)
            if hit is None:
                return NO_HIT
            hits[name] = hit
        for position, name in enumerate(optional):
            if len(hits) + len(optional) - position < check.min_count:
                return NO_HIT  # scores 0 whatever the remaining groups say
            hit = fires(name, facts)
            if hit is not None:
                hits[name] = hit
        fired = [
            f"{name}: {hits[name].examples[0]}" if hits[name].examples else name
            for name in built
            if name in hits
        ]
        return Hit(len(fired), tuple(fired))

    return match


_BUILDERS: dict[type[CheckBase], Callable[[Any], Matcher]] = {
    TermsCheck: _terms,
    RegexCheck: _regex,
    NumberCheck: _number,
    UrlsCheck: _urls,
    ReleaseNamesCheck: release_names,
    XPathCheck: _xpath,
    SchemaTypesCheck: _schema,
    GroupsCheck: _groups,
}


def build_check(raw: Mapping[str, Any]) -> tuple[CheckBase, Matcher]:
    """Validate a page check from config and compile its matcher."""
    try:
        check = ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise DetectorError(f"invalid page check: {exc}") from exc
    return check, _BUILDERS[type(check)](check)
