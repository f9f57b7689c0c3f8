"""What the page detectors look at, extracted once per page and shared between them.

Text and metadata come from lxml (C parser, recovering, no network, iterative walks, so deep
nesting cannot blow the Python stack). URLs are taken with linear regexes over the raw markup
(``links.py``), which also see links that a truncated tree lost and URLs inside inline scripts
(JS players, pop-under loaders).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any

import lxml.etree as etree

from detectors.base import Content
from detectors.heuristic.hosts import url_host
from detectors.heuristic.links import Link, collect_links, link_names
from detectors.heuristic.page_meta import meta_tags, schema_types
from detectors.heuristic.phrases import PHRASES
from detectors.text import collapse, collapse_each, fold, joined_lines, words_of

# Elements other facts need, collected by the text walk: tag -> group.
_COLLECT = {"meta": "meta", "script": "script", "title": "title", "h1": "heading",
            "h2": "heading", "h3": "heading"}  # fmt: skip
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_SEGMENT_CHARS = 300
_MAX_SEGMENTS = 5000
_MAX_SCRIPT_CHARS = 300_000


@dataclass(frozen=True)
class PageFacts:
    """Everything page rules match against; ``folded`` is ``text`` folded (same offsets)."""

    url: str
    host: str
    title: str
    text: str
    folded: str
    segments: tuple[str, ...]
    links: tuple[Link, ...]
    scripts: str
    html: str
    schema_types: frozenset[str]
    root: Any
    headings: tuple[Any, ...] = ()  # the h1/h2/h3 elements of ``root``, in page order
    # ``html`` as UTF-8 with ASCII letters lower-cased: substring tests (start tags, attribute
    # texts) run on it at byte speed; UTF-8 keeps every substring relation of the text.
    markup_lower: bytes = b""

    @cached_property
    def folded_segments(self) -> tuple[str, ...]:
        """``segments`` folded, computed once per page for every rule that needs them."""
        joined = "\n".join(self.segments)
        if joined.count("\n") == max(0, len(self.segments) - 1):
            # fold maps character for character: one call on the joined texts, split back.
            return tuple(fold(joined).split("\n")) if self.segments else ()
        return tuple(fold(segment) for segment in self.segments)

    @cached_property
    def joined_segments(self) -> tuple[str, list[int]]:
        """``folded_segments`` joined by newlines, with where each starts (one regex pass)."""
        return joined_lines(self.folded_segments)

    def links_from(self, sources: frozenset[str] | None) -> tuple[Link, ...]:
        """The links found in these places (all when None), in page order, once per page."""
        if sources is None:
            return self.links
        memo = self._links_by_sources
        if sources not in memo:
            memo[sources] = tuple(link for link in self.links if link.source in sources)
        return memo[sources]

    @cached_property
    def _links_by_sources(self) -> dict[frozenset[str], tuple[Link, ...]]:
        return {}

    def hosts_from(self, sources: frozenset[str] | None) -> dict[str, int]:
        """How many of ``links_from(sources)`` each host has, once per page."""
        memo = self._hosts_by_sources
        if sources not in memo:
            memo[sources] = Counter(map(attrgetter("host"), self.links_from(sources)))
        return memo[sources]

    @cached_property
    def _hosts_by_sources(self) -> dict[frozenset[str] | None, dict[str, int]]:
        return {}

    @cached_property
    def urls_text(self) -> str:
        """Every link's URL, one a line."""
        return "\n".join(link.url for link in self.links)

    def phrase_positions(self) -> dict[str, list[int]] | None:
        """Where each phrase of the page rules occurs in ``folded`` (one automaton pass);
        None when the text holds too many occurrences (rules then search one by one)."""
        memo = self._phrases
        if not memo or memo[0] != PHRASES.version:  # a rule built since: search again
            memo[:] = [PHRASES.version, PHRASES.positions(self.folded)]
        positions: dict[str, list[int]] | None = memo[1]
        return positions

    @cached_property
    def _phrases(self) -> list[Any]:
        return []

    @cached_property
    def xpath_hits(self) -> dict[str, bool]:
        """Whether each XPath expression run on ``root`` so far found something."""
        return {}

    @cached_property
    def words(self) -> list[str]:
        """The words (runs of letters and digits) of ``folded``, in order."""
        return words_of(self.folded)

    @cached_property
    def char_set(self) -> frozenset[str]:
        """The characters of ``folded``: phrases in scripts without spaces need their first."""
        return frozenset(self.folded)

    @cached_property
    def longest_word(self) -> int:
        """Length of the longest of ``words`` (0 without words)."""
        return max(map(len, self.word_set), default=0)

    @cached_property
    def word_set(self) -> frozenset[str]:
        """``words`` as a set: phrase rules skip phrases whose first word is absent."""
        return frozenset(self.words)

    def field(self, name: str) -> str:
        """The string a rule's ``field`` names (``text`` is the folded visible text)."""
        if name == "text":
            return self.folded
        if name == "raw_text":
            return self.text
        if name == "title":
            return fold(self.title)
        if name == "urls":
            return self.urls_text
        if name == "scripts":
            return self.scripts
        return self.html


_STRING = etree.XPath("string()")


def text_content(node: Any) -> str:
    """All text inside ``node`` (what ``lxml.html``'s ``text_content()`` returns)."""
    return str(_STRING(node))


def _parse(markup: str) -> Any:
    if not markup.strip():
        return None
    # etree's HTML parser, not lxml.html's: same tree, but without lxml.html's per-element
    # Python class lookup, which cost more than the parse itself on a 50 KB page.
    parser = etree.HTMLParser(
        recover=True, no_network=True, remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        return etree.fromstring(markup, parser)
    except (etree.LxmlError, ValueError):
        return None


Walk = tuple[list[str], list[str], int, dict[str, list[Any]] | None]


def _tagged(root: Any) -> dict[str, list[Any]]:
    """The elements of each _COLLECT group in page order, as ``root.iter(*tags)`` gives them."""
    groups: dict[str, list[str]] = {}
    for tag, group in _COLLECT.items():
        groups.setdefault(group, []).append(tag)
    return {group: list(root.iter(*tags)) for group, tags in groups.items()}


def _walk_text(root: Any, max_chars: int) -> Walk:
    """Visible text pieces, short segments (one per text node / link), element count, and
    the meta/script/title/heading elements (None when the walk stopped at ``max_chars``).

    One ``iterwalk`` (~two events per element): an XPath selecting the visible text nodes
    (``not(ancestor::script...)``) was measured 3x slower, libxml2 walks ancestors per node.
    The same walk picks up the elements other facts need, saving a tree pass for each.
    """
    pieces: list[str] = []
    raw: list[str] = []  # segments before collapsing, cut to _MAX_SEGMENTS at the end
    total = 0
    skip_depth = 0
    elements = 0
    tagged: dict[str, list[Any]] = {group: [] for group in _COLLECT.values()}
    add_piece, add_raw, skip, collect = pieces.append, raw.append, _SKIP_TEXT, _COLLECT
    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag
        if event == "start":
            elements += 1
            if tag in collect:
                tagged[collect[tag]].append(node)
            if tag in skip:
                skip_depth += 1
                continue
            if skip_depth:
                continue
            piece = node.text
            if tag == "a":
                # A link without child elements holds only its own text: no XPath call.
                add_raw(text_content(node) if len(node) else piece or "")
        else:
            if tag in skip:
                skip_depth -= 1
                if skip_depth == 0 and node.tail:
                    add_piece(node.tail)
                continue
            if skip_depth:
                continue
            piece = node.tail
        if piece and not piece.isspace():
            add_piece(piece)
            add_raw(piece)
            total += len(piece)
            if total >= max_chars:
                break
    segments = collapse_each(raw[:_MAX_SEGMENTS], _SEGMENT_CHARS)
    return pieces, segments, elements, (tagged if total < max_chars else None)


def _strip_tags(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]{0,4000}>", " ", markup))


def extract(content: Content, max_text_chars: int, max_elements: int = 50_000) -> PageFacts:
    """Facts of an HTML content (never raises on bad markup; may be empty)."""
    markup = content.decoded_text()
    page_host = url_host(content.url)
    root = _parse(markup)
    title = ""
    meta: dict[str, str] = {}
    schema: frozenset[str] = frozenset()
    scripts: list[str] = []
    headings: list[Any] = []
    markup_lower = b""
    if root is not None:
        pieces, segments, elements, tagged = _walk_text(root, max_text_chars)
        tagged = tagged if tagged is not None else _tagged(root)
        titles = [node for node in tagged["title"] if node is not root]  # findtext(".//title")
        title = collapse((titles[0].text or "") if titles else "")
        meta = meta_tags(tagged["meta"])
        markup_lower = markup.encode("utf-8", "surrogatepass").lower()
        schema = schema_types(root, markup_lower, meta, tagged["script"])
        size = 0
        for script in tagged["script"]:
            if script.text and size < _MAX_SCRIPT_CHARS:
                scripts.append(script.text[: _MAX_SCRIPT_CHARS - size])
                size += len(scripts[-1])
        headings = tagged["heading"]
        if elements > max_elements:
            root = None  # structure (XPath) checks skip trees this big; text still counts
            headings = []
    else:
        stripped = _strip_tags(markup)[:max_text_chars]
        pieces, segments = [stripped], [s[:_SEGMENT_CHARS] for s in stripped.splitlines()]
    script_text = "\n".join(scripts)
    visible = " ".join(pieces)
    links = collect_links(markup, script_text, visible, page_host)
    head = " \n ".join(
        part
        for part in (title, meta.get("description", ""), meta.get("og:title", ""),
                     meta.get("keywords", ""))
        if part
    )
    text = collapse(head + " \n " + visible)[:max_text_chars]
    segments = [s for s in segments if s][:_MAX_SEGMENTS] + link_names(links)
    script_sources = "\n".join(link.url for link in links if link.source == "script")
    return PageFacts(
        url=content.url,
        host=page_host,
        title=title,
        text=text,
        folded=fold(text),
        segments=tuple(segments),
        links=links,
        scripts=script_sources + "\n" + script_text,
        html=markup,
        schema_types=schema,
        root=root,
        headings=tuple(headings),
        markup_lower=markup_lower,
    )


def page_facts(content: Content, max_text_chars: int, max_elements: int = 50_000) -> PageFacts:
    """Facts of ``content``, computed once and shared by every page detector."""
    return content.memo(
        f"page_facts:{max_text_chars}:{max_elements}",
        lambda: extract(content, max_text_chars, max_elements),
    )
