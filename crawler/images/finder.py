"""Which images of a page are worth fetching for perceptual matching, and how many per site.

A page shows dozens of images (icons, spacers, ad banners, tracking pixels); the catalog of
protected works holds posters, stills and channel logos. So a page's images are ranked by
what they are: the site's favicon (for linking), then posters (``<video poster>``,
``og:image``, player setup scripts, ``<img>`` hinted as poster/cover), logos, then other
content images as thumbnails. A small per-site budget (``crawl.images_per_site``) caps what
one site costs: the first page of a site usually shows what its other pages show.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.html import absolute, classes

#: Fetch order: the favicon first (linking), then what the catalog holds most of.
ROLE_ORDER = ("favicon", "poster", "logo", "thumbnail")
_POSTER = re.compile(r"(?i)poster|cover|backdrop|cartaz|affiche|artwork|key-?art")
_LOGO = re.compile(r"(?i)logo|channel")
_THUMB = re.compile(r"(?i)thumb")
_SCRIPT_IMAGE = re.compile(r"""(?:image|poster|thumbnail)\s*:\s*["']([^"'\s]{1,2000})["']""")
_RASTER = frozenset({"jpg", "jpeg", "png", "webp", "bmp", ""})
_MAX_SCRIPT_CHARS = 300_000


@dataclass(frozen=True)
class ImageRef:
    """An image URL and what it is on the page (see :data:`crawler.items.IMAGE_ROLES`)."""

    url: str
    role: str


def _extension(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _tiny(element: Any) -> bool:
    """A tracking pixel or spacer (width or height attribute of 1-2 pixels)."""
    for attr in ("width", "height"):
        value = str(element.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def _img_role(element: Any) -> str | None:
    src = str(element.get("src") or element.get("data-src") or "")
    hint = f"{classes(element)} {element.get('alt') or ''} {src}"
    parent = element.getparent()
    if parent is not None:
        hint += f" {classes(parent)}"
    if _POSTER.search(hint):
        return "poster"
    if _LOGO.search(hint):
        return "logo"
    if _THUMB.search(hint) or _extension(src) in _RASTER:
        return "thumbnail"
    return None  # gif, svg, ico: icons and spacers, not catalog material


def page_images(root: Any, page_url: str) -> list[ImageRef]:
    """The page's images worth matching, favicon first, each URL once, in :data:`ROLE_ORDER`.

    ``root`` is the page's lxml tree (lxml.html or parsel's). The favicon is the first
    ``<link rel="icon">`` (or "shortcut icon"), else the site's ``/favicon.ico``.
    """
    found: dict[str, list[str]] = {role: [] for role in ROLE_ORDER}
    base = page_url
    for element in root.iter("base", "link", "meta", "video", "img", "script"):
        tag = element.tag
        if tag == "base" and element.get("href"):
            base = absolute(page_url, element.get("href")) or base
        elif tag == "link":
            rel = str(element.get("rel") or "").lower().split()
            if "icon" in rel and not found["favicon"]:
                _add(found, "favicon", absolute(base, element.get("href")))
        elif tag == "meta":
            key = str(element.get("property") or element.get("name") or "").lower()
            if key in ("og:image", "twitter:image"):
                _add(found, "poster", absolute(base, element.get("content")))
        elif tag == "video":
            _add(found, "poster", absolute(base, element.get("poster")))
        elif tag == "img":
            role = None if _tiny(element) else _img_role(element)
            if role is not None:
                _add(found, role, absolute(base, element.get("src") or element.get("data-src")))
        elif tag == "script" and not element.get("src") and element.text:
            code = element.text[:_MAX_SCRIPT_CHARS].replace("\\/", "/")
            for match in _SCRIPT_IMAGE.finditer(code):
                _add(found, "poster", absolute(base, match.group(1)))
    if not found["favicon"]:
        _add(found, "favicon", absolute(page_url, "/favicon.ico"))
    seen: set[str] = set()
    out = []
    for role in ROLE_ORDER:
        for url in found[role]:
            if url not in seen:
                seen.add(url)
                out.append(ImageRef(url, role))
    return out


def _add(found: dict[str, list[str]], role: str, url: str | None) -> None:
    if url and url.startswith(("http://", "https://")) and len(found[role]) < 50:
        if role != "favicon" and _extension(url) == "svg":
            return  # vector art: no pixels to hash
        found[role].append(url)


@dataclass
class _Spent:
    images: int = 0
    favicon: bool = False
    urls: set[str] = field(default_factory=set)


class ImageBudget:
    """At most ``per_site`` images per site (registered domain of the page) in this process,
    the favicon once per site; an image URL is asked for once per site. The most recently
    seen ``max_sites`` sites are remembered (a long crawl must not grow without bound; a site
    forgotten and met again gets a fresh budget, the frontier's dedup still drops URLs
    already fetched)."""

    def __init__(self, per_site: int, max_sites: int = 100_000) -> None:
        self.per_site = per_site
        self.max_sites = max_sites
        self.sites: OrderedDict[str, _Spent] = OrderedDict()

    def take(self, site: str, refs: Iterable[ImageRef]) -> list[ImageRef]:
        """The refs to fetch now (their cost counted), in the order given."""
        spent = self.sites.get(site)
        if spent is None:
            spent = self.sites[site] = _Spent()
            if len(self.sites) > self.max_sites:
                self.sites.popitem(last=False)
        else:
            self.sites.move_to_end(site)
        out: list[ImageRef] = []
        for ref in refs:
            if spent.images >= self.per_site:
                break
            if ref.url in spent.urls or (ref.role == "favicon" and spent.favicon):
                continue
            spent.favicon = spent.favicon or ref.role == "favicon"
            spent.urls.add(ref.url)
            spent.images += 1
            out.append(ref)
        return out
