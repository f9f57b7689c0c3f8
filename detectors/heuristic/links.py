"""URLs of a page, taken with linear regexes over the raw markup (not from the parsed tree).

The markup scan also sees links that a truncated tree lost and URLs inside inline scripts
(JS players, pop-under loaders). It is the costliest part of a page's facts after the parse,
so attributes are split by one ``findall`` per tag and a URL the page repeats is resolved
(host, ``Link``) only once.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from detectors.heuristic.hosts import url_host
from detectors.heuristic.literals import CandidateScan
from detectors.text import collapse

# Bounded and possessive, starting only at the beginning of a name: linear on hostile markup.
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]{0,20})\s([^<>]{0,4000}+)>")
_ATTR = re.compile(
    r"""(?<![\w:.-])([\w:.-]{1,60}+)\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'>]++))"""
)
_INLINE_URL = re.compile(r"""(?:https?:)?//[\w.-]+(?::\d+)?[^\s"'<>\\)]*|magnet:\?[^\s"'<>\\]+""")
# Where an inline URL can start: re scans these literals in C (the URL pattern opens with
# an optional group, so re would try every position of a script).
_INLINE_SCAN = CandidateScan(_INLINE_URL, re.compile(r"https?://|//|magnet:\?"))
_URL_ATTRS = frozenset({"href", "src", "data", "action"})
_SOURCES = {
    "a": "a",
    "area": "a",
    "iframe": "iframe",
    "frame": "iframe",
    "embed": "embed",
    "object": "embed",
    "video": "media",
    "audio": "media",
    "source": "media",
    "track": "media",
    "script": "script",
    "link": "link",
    "form": "form",
    "img": "img",
}
_MAX_LINKS = 5000
_MAX_TAGS = 100_000
_SEGMENT_CHARS = 300


@dataclass(frozen=True)
class Link:
    """A URL found on the page, where it was found (``source``) and its host.

    Sources: a, iframe, embed, media, script, link, form, img (tag attributes), data
    (``data-*`` attributes holding a URL), inline (inside inline scripts), text (written in the
    visible text, as link blogs post them).
    """

    source: str
    url: str
    host: str


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "magnet:"))


def _attr_links(source: str | None, attrs: str) -> list[tuple[str, str]]:
    found = []
    # findall gives "" for a quote style not used; an empty value is skipped either way.
    for name, double, single, bare in _ATTR.findall(attrs):
        raw = double or single or bare
        value = (html.unescape(raw) if "&" in raw else raw).strip()
        if not value:
            continue
        name = name.lower()
        if name in _URL_ATTRS and source is not None:
            found.append((source, value))
        elif name.startswith("data-") and _looks_like_url(value):
            found.append(("data", value))
    return found


def _tag_links(markup: str) -> list[tuple[str, str]]:
    """(source, URL) pairs of the tags' attributes, in page order (repeats may be dropped)."""
    # The first _MAX_TAGS tags are read; with fewer "<" in the whole markup the cap cannot
    # bite, and findall hands them over in one C call.
    if markup.count("<") <= _MAX_TAGS:
        tags: list[tuple[str, str]] = _TAG.findall(markup)
    else:
        tags = [(m[1], m[2]) for m in itertools.islice(_TAG.finditer(markup), _MAX_TAGS)]
    # Menus, pagination and repeated cards write the same tag many times: read each once.
    # A repeated tag only repeats (source, URL) pairs already listed, and the caller keeps
    # the first of each pair: dropping repeats (dict.fromkeys, in C) changes nothing.
    seen: dict[tuple[str | None, str], list[tuple[str, str]]] = {}
    pairs: list[tuple[str, str]] = []
    for tag, attrs in dict.fromkeys(tags):
        source = _SOURCES.get(tag.lower())
        if source is None and "data-" not in attrs.lower():
            continue  # a <div>/<span>...: only its data-* URLs count, and it has none
        key = (source, attrs)
        found = seen.get(key)
        if found is None:
            found = seen[key] = _attr_links(source, attrs)
        pairs.extend(found)
    return pairs


def _inline_links(text: str, source: str) -> list[tuple[str, str]]:
    return [(source, m.group(0)) for m in _INLINE_SCAN.finditer(text.replace("\\/", "/"))]


def collect_links(markup: str, scripts: str, visible: str, page_host: str) -> tuple[Link, ...]:
    """Distinct (source, URL) pairs from tags, inline scripts and visible text, capped.

    A URL repeated on the page (menus, pagination) is looked at once: its host and ``Link``
    are made only for the first _MAX_LINKS distinct pairs, in page order.
    """
    pairs = _tag_links(markup)
    pairs.extend(_inline_links(scripts, "inline"))
    pairs.extend(_inline_links(visible, "text"))
    distinct = itertools.islice(dict.fromkeys(pairs), _MAX_LINKS)
    return tuple(Link(source, url, url_host(url, page_host)) for source, url in distinct)


def magnet_name(query: str) -> str | None:
    """``parse_qs(query).get("dn", [None])[0]``, reading fields only up to the first name.

    Same rules as ``parse_qsl``: "&"-separated fields, fields without "=" or with an empty
    value skipped, "+" as a space, percent-decoding (UTF-8, replacement characters). A magnet
    lists its trackers after the name: parse_qs decoded them all.
    """
    for field in query.split("&"):
        name, equals, value = field.partition("=")
        if not equals or not value:
            continue
        if name == "dn" or ("%" in name and unquote(name.replace("+", " ")) == "dn"):
            return unquote(value.replace("+", " "))
    return None


def link_names(links: tuple[Link, ...]) -> list[str]:
    """Release names carried by links: magnet ``dn=`` and ``.torrent`` file names."""
    names = []
    for link in links:
        url = link.url
        if url.startswith("magnet:"):
            name = magnet_name(url.partition("?")[2])
            if name is not None:
                names.append(name)
        elif ".torrent" in url.lower():
            names.append(unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
    return [collapse(name)[:_SEGMENT_CHARS] for name in names if name]
