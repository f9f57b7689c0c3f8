"""Torrent/magnet indexes and DDL link sites: listings (one release each) with release name,
magnets, .torrent links, cyberlocker links, size, seeders and leechers; plus pagination.

Template-agnostic: a listing is the nearest row/card/post block around a magnet, a .torrent
link, a locker link or a release-named link. Seeders and leechers come from cells whose class
or column header says so, else from "Seeders: 12" labels in six languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.extract.html import absolute, block_of, classes, host, text_of
from crawler.extract.lockers import LockerLink, parse_locker
from crawler.extract.magnet import Magnet, parse_magnet
from crawler.extract.numbers import parse_count, parse_size
from crawler.extract.release import Release, looks_like_release, parse_release, strip_extension
from crawler.extract.torrent import is_torrent_url

MAX_ANCHORS = 5000
_SEED = re.compile(r"(?i)seed|semill|sement|sources|시드")
_LEECH = re.compile(r"(?i)leech|peer|sanguij|clients|피어")
_SIZE_HEAD = re.compile(r"(?i)size|taille|tama[ñn]o|tamanho|ukuran|용량")
_SEED_LABEL = re.compile(r"(?i)(?:seed(?:er)?s?|semillas|sementes|시드)\s*:?\s*(\d[\d,.]*)")
_LEECH_LABEL = re.compile(r"(?i)(?:leech(?:er)?s?|peers|sanguijuelas|피어)\s*:?\s*(\d[\d,.]*)")
_NEXT = re.compile(r"(?i)^(?:next|suivant|siguiente|pr[óo]xim[ao]|berikutnya|다음|»|\u203a|>>|>)"
                   r"\W*$|^\W*(?:next|suivant|siguiente|pr[óo]xim[ao])\b")  # fmt: skip
_TOKEN = re.compile(r"[\w()\[\]+-]+(?:\.[\w()\[\]+-]+){2,}")
_PAGER = re.compile(r"(?i)pag|pager|page-numbers|nav-links")


@dataclass(frozen=True)
class Listing:
    """One release as an index lists it. Sizes in bytes; None where the page does not say."""

    title: str  # the release name (or the work title when no release name is shown)
    release: Release | None  # ``title`` parsed, when it looks like a release name
    detail_url: str | None  # the release's own page on the index
    magnets: tuple[Magnet, ...]
    torrent_urls: tuple[str, ...]
    lockers: tuple[LockerLink, ...]
    size: int | None
    seeders: int | None
    leechers: int | None


@dataclass(frozen=True)
class IndexPage:
    """What one index page offers, listings and page-level link sets together."""

    title: str
    listings: tuple[Listing, ...]
    magnets: tuple[Magnet, ...]  # every distinct magnet on the page
    torrent_urls: tuple[str, ...]
    lockers: tuple[LockerLink, ...]
    pagination: tuple[str, ...]  # next/numbered page links on the same host
    detail_urls: tuple[str, ...]  # same-host links whose label is a release name


@dataclass
class _Key:
    anchor: Any
    url: str
    magnet: Magnet | None = None
    torrent: bool = False
    locker: LockerLink | None = None
    release_label: str = ""


def _classify(anchor: Any, url: str) -> _Key | None:
    key = _Key(anchor, url)
    if url.lower().startswith("magnet:"):
        key.magnet = parse_magnet(url)
        return key if key.magnet else None
    label = text_of(anchor, 400) or str(anchor.get("title") or "")
    if is_torrent_url(url) or label.lower().endswith(".torrent"):
        key.torrent = True
        return key
    key.locker = parse_locker(url)
    if key.locker:
        return key
    if looks_like_release(label):
        key.release_label = label
        return key
    return None


def _header_columns(table: Any) -> dict[str, int]:
    """Column index of seeders / leechers / size from the table's header cells."""
    cols: dict[str, int] = {}
    head = table.find(".//thead/tr") if table is not None else None
    if head is None and table is not None:
        head = table.find(".//tr")
    if head is None:
        return cols
    for index, cell in enumerate(head):
        label = text_of(cell, 60) + " " + classes(cell)
        for name, pattern in (("seeders", _SEED), ("leechers", _LEECH), ("size", _SIZE_HEAD)):
            if name not in cols and pattern.search(label):
                cols[name] = index
    return cols


def _by_class(block: Any, pattern: re.Pattern[str]) -> int | None:
    for element in block.iter():
        if isinstance(element.tag, str) and pattern.search(classes(element)):
            value = parse_count(text_of(element, 40))
            if value is not None:
                return value
    return None


def _counts(block: Any, tables: dict[int, dict[str, int]]) -> tuple[int | None, int | None,
                                                                   int | None]:  # fmt: skip
    seeders = _by_class(block, _SEED)
    leechers = _by_class(block, _LEECH)
    size = None
    for element in block.iter():
        if isinstance(element.tag, str) and "size" in classes(element):
            size = parse_size(text_of(element, 80))
            if size is not None:
                break
    if block.tag == "tr":
        table = next((a for a in block.iterancestors() if a.tag == "table"), None)
        cols = tables.setdefault(id(table), _header_columns(table))
        cells = [c for c in block if c.tag in ("td", "th")]
        if seeders is None and "seeders" in cols and cols["seeders"] < len(cells):
            seeders = parse_count(text_of(cells[cols["seeders"]], 40))
        if leechers is None and "leechers" in cols and cols["leechers"] < len(cells):
            leechers = parse_count(text_of(cells[cols["leechers"]], 40))
        if size is None and "size" in cols and cols["size"] < len(cells):
            size = parse_size(text_of(cells[cols["size"]], 80))
    seeders = parse_count(block.get("data-seeders") or "") if seeders is None else seeders
    leechers = parse_count(block.get("data-leechers") or "") if leechers is None else leechers
    if size is None and (block.get("data-size") or "").isdigit():
        size = int(block.get("data-size"))
    text = text_of(block)
    if seeders is None and (match := _SEED_LABEL.search(text)):
        seeders = parse_count(match.group(1))
    if leechers is None and (match := _LEECH_LABEL.search(text)):
        leechers = parse_count(match.group(1))
    return (parse_size(text) if size is None else size), seeders, leechers


def _title(block: Any, keys: list[_Key], page_title: str) -> tuple[str, str | None]:
    """The block's release name (or best title) and its detail URL."""
    for key in keys:
        if key.release_label:
            return key.release_label, key.url
    for heading in block.iter("h1", "h2", "h3", "h4"):
        token = release_token(text_of(heading, 300))
        if token:
            return token, None
    if looks_like_release(page_title):
        return page_title, None
    for key in keys:
        if key.magnet and key.magnet.name:
            return strip_extension(key.magnet.name), None
        if key.torrent:
            name = unquote(urlsplit(key.url).path.rsplit("/", 1)[-1])
            if looks_like_release(name):
                return strip_extension(name), None
    token = release_token(text_of(block, 20000))
    return (token, None) if token else (page_title, None)


def release_token(text: str) -> str:
    """The first release-looking token in free text ('Release : Electric.Summer.2023...')."""
    for match in _TOKEN.finditer(text[:20000]):
        if looks_like_release(match.group(0)):
            return strip_extension(match.group(0))
    return ""


def _listing(block: Any, keys: list[_Key], page_title: str,
             tables: dict[int, dict[str, int]]) -> Listing:  # fmt: skip
    title, detail = _title(block, keys, page_title)
    size, seeders, leechers = _counts(block, tables)
    magnets = tuple({k.magnet.infohash: k.magnet for k in keys if k.magnet}.values())
    return Listing(
        title=title,
        release=parse_release(title) if looks_like_release(title) else None,
        detail_url=detail,
        magnets=magnets,
        torrent_urls=tuple(dict.fromkeys(k.url for k in keys if k.torrent)),
        lockers=tuple({k.locker.url: k.locker for k in keys if k.locker}.values()),
        size=size,
        seeders=seeders,
        leechers=leechers,
    )


def _is_pager(anchor: Any, label: str) -> bool:
    if "next" in str(anchor.get("rel") or "").lower() or _NEXT.search(label):
        return True
    if _PAGER.search(classes(anchor)):
        return True
    parent = anchor.getparent()
    for node in (parent, parent.getparent() if parent is not None else None):
        if node is not None and _PAGER.search(classes(node)) and label.strip().isdigit():
            return True
    return False


def find_pagination(root: Any, url: str) -> tuple[str, ...]:
    """Next/numbered page links on the page's own host (any kind of site)."""
    page_host = host(url)
    found: dict[str, None] = {}
    for index, anchor in enumerate(root.iter("a")):
        if index >= MAX_ANCHORS:
            break
        link = absolute(url, anchor.get("href"))
        if link and host(link) == page_host and _is_pager(anchor, text_of(anchor, 40)):
            found[link.split("#")[0]] = None
    return tuple(u for u in found if u != url)


def _page_title(root: Any) -> str:
    """A release-named heading if there is one, else the first h1, else <title>."""
    headings = [text_of(h, 300) for h in root.iter("h1", "h2")]
    for label in headings:
        token = release_token(label)
        if token:
            return token
    first_h1 = root.find(".//h1")
    if first_h1 is not None:
        return text_of(first_h1, 300)
    return text_of(root.find(".//title"), 300) if root.find(".//title") is not None else ""


def _merge(listings: list[Listing]) -> list[Listing]:
    """Blocks of one detail page that name the same release become one listing."""
    out: dict[str, Listing] = {}
    for item in listings:
        key = item.release.name if item.release else f"#{len(out)}"
        old = out.get(key)
        if old is None:
            out[key] = item
            continue
        out[key] = Listing(
            title=old.title, release=old.release, detail_url=old.detail_url or item.detail_url,
            magnets=tuple({m.infohash: m for m in (*old.magnets, *item.magnets)}.values()),
            torrent_urls=tuple(dict.fromkeys((*old.torrent_urls, *item.torrent_urls))),
            lockers=tuple({lk.url: lk for lk in (*old.lockers, *item.lockers)}.values()),
            size=old.size if old.size is not None else item.size,
            seeders=old.seeders if old.seeders is not None else item.seeders,
            leechers=old.leechers if old.leechers is not None else item.leechers,
        )
    return list(out.values())


def extract_index(root: Any, url: str) -> IndexPage:
    """Listings, page-level links and pagination of one index page (``root`` from lxml)."""
    page_host = host(url)
    page_title = _page_title(root)
    keys: list[_Key] = []
    pagination: dict[str, None] = {}
    details: dict[str, None] = {}
    for index, anchor in enumerate(root.iter("a")):
        if index >= MAX_ANCHORS:
            break
        link = absolute(url, anchor.get("href"))
        if link is None:
            continue
        key = _classify(anchor, link)
        if key is not None:
            keys.append(key)
            if key.release_label and host(link) == page_host:
                details[link] = None
        elif host(link) == page_host and _is_pager(anchor, text_of(anchor, 40)):
            pagination[link.split("#")[0]] = None
    groups: dict[int, tuple[Any, list[_Key]]] = {}
    for key in keys:
        block = block_of(key.anchor)
        if block is None:
            block = root.find(".//body") if root.find(".//body") is not None else root
        groups.setdefault(id(block), (block, []))[1].append(key)
    tables: dict[int, dict[str, int]] = {}
    listings = []
    for block, block_keys in groups.values():
        if all(k.locker for k in block_keys):
            continue  # DDL posts spread lockers over paragraphs: one page-level listing below
        listings.append(_listing(block, block_keys, page_title, tables))
    lockers = tuple({k.locker.url: k.locker for k in keys if k.locker}.values())
    if lockers and not any(listing.lockers for listing in listings):
        body = root.find(".//body")
        listings.append(_listing(body if body is not None else root,
                                 [k for k in keys if k.locker], page_title, tables))
    return IndexPage(
        title=page_title,
        listings=tuple(_merge(listings)),
        magnets=tuple({k.magnet.infohash: k.magnet for k in keys if k.magnet}.values()),
        torrent_urls=tuple(dict.fromkeys(k.url for k in keys if k.torrent)),
        lockers=lockers,
        pagination=tuple(u for u in pagination if u != url),
        detail_urls=tuple(details),
    )
