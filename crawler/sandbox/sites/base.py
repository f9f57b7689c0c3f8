"""What a site template gets to work with, and the pieces every site has.

A template is a function ``build(ctx)`` that registers resources on one or more origins
through the context.  The context knows the operation, the serving domain (primary or
mirror), the catalog, where every other operation lives and the seeded randomness.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .. import images, rand
from ..html import esc
from ..i18n import ui
from ..model import Catalog, Resource, Work
from ..origin import Origin, Route
from ..roster import OpSpec

HTML = "text/html; charset=utf-8"


class Directory:
    """Where every operation lives, resolved before any page is written."""

    def __init__(self, ops: dict[str, OpSpec]) -> None:
        self.ops = ops

    def domain(self, ref: str) -> str:
        """The domain a reference points at: ``op`` -> its primary, ``op@domain`` -> domain."""
        site, _, domain = ref.partition("@")
        return domain or self.ops[site].primary

    def url(self, ref: str, path: str = "/") -> str:
        """Absolute URL on the domain a reference points at."""
        return f"http://{self.domain(ref)}{path}"

    def op(self, ref: str) -> OpSpec:
        """The operation behind a reference."""
        return self.ops[ref.partition("@")[0]]


class SiteContext:
    """Everything a template needs to render one serving domain of one operation."""

    def __init__(self, seed: int, op: OpSpec, domain: str, catalog: Catalog,
                 directory: Directory, origins: dict[tuple[str, int], Origin]) -> None:
        self.seed = seed
        self.op = op
        self.domain = domain
        self.catalog = catalog
        self.directory = directory
        self.origins = origins
        self.lang = op.lang
        self.t = ui(op.lang)
        self.base = f"http://{domain}"
        self.poster_style = images.site_poster_style(seed, op.site, op.brand)
        self.hue = rand.rng(seed, "hue", op.site).random()
        self.origin(domain)

    # -- randomness (keyed by operation, so mirrors are identical) ---------------------------
    def rng(self, *keys: object) -> random.Random:
        """A private random stream of this operation."""
        return rand.rng(self.seed, self.op.site, *keys)

    # -- registration ------------------------------------------------------------------------
    def origin(self, host: str | None = None, port: int = 80) -> Origin:
        """The origin for host:port (created on first use)."""
        host = host or self.domain
        key = (host, port)
        if key not in self.origins:
            self.origins[key] = Origin(host=host, port=port, domain=self.domain,
                                       site=self.op.site, server=self.op.server,
                                       behaviour=self.op.behaviour)
        return self.origins[key]

    def add(self, path: str, resource: Resource, host: str | None = None, port: int = 80) -> str:
        """Serve a resource at path (``path`` may carry a query string); returns the path."""
        self.origin(host, port).resources[path] = resource
        return path

    def page(self, path: str, html: str, host: str | None = None, port: int = 80) -> str:
        """Serve an HTML page."""
        return self.add(path, Resource(HTML, html.encode("utf-8")), host, port)

    def file(self, path: str, content_type: str, body: bytes | Callable[[], bytes],
             host: str | None = None, port: int = 80) -> str:
        """Serve a non-HTML file (bytes or a lazy producer)."""
        return self.add(path, Resource(content_type, body), host, port)

    def route(self, fn: Route, host: str | None = None, port: int = 80) -> None:
        """Add a dynamic handler (search, APIs, media segments)."""
        self.origin(host, port).routes.append(fn)

    # -- catalog helpers ---------------------------------------------------------------------
    def pick_works(self, n: int, kinds: tuple[str, ...] = ("movie", "series", "anime"),
                   key: str = "works") -> list[Work]:
        """Works this site carries: its own language's first, then a seeded mix."""
        r = self.rng(key)
        pool = [w for w in self.catalog.works if w.kind in kinds]
        r.shuffle(pool)
        pool.sort(key=lambda w: (w.lang != self.lang, w.lang not in ("en", self.lang)))
        chosen = pool[:n]
        r.shuffle(chosen)
        chosen.sort(key=lambda w: -w.year)
        return chosen

    def title(self, work: Work) -> str:
        """A work's title as this site shows it."""
        return work.local_title(self.lang)

    def poster(self, work: Work, path: str) -> str:
        """Serve this site's re-encoded copy of a work's poster at path; returns the path."""
        seed, style = self.seed, self.poster_style
        return self.file(path, "image/jpeg", lambda: images.poster_bytes(seed, work, style))

    def logo(self, path: str = "/logo.png", text: str | None = None) -> str:
        """Serve the site logo."""
        label, hue = text or self.op.brand, self.hue
        return self.file(path, "image/png", lambda: images.logo_png(label, hue))

    # -- links -------------------------------------------------------------------------------
    def link_refs(self) -> list[str]:
        """The operations this one links to (as declared in the roster)."""
        return list(self.op.links)

    def partner_links(self) -> list[tuple[str, str]]:
        """(name, url) of linked operations; specific-domain refs are labelled by domain."""
        out = []
        for ref in self.op.links:
            label = ref.partition("@")[2] or self.directory.op(ref).brand
            out.append((label, self.directory.url(ref)))
        return out

    def own_domains(self) -> list[str]:
        """The operation's serving domains (primary and mirrors)."""
        return [d for d, role in self.op.domains if role in ("primary", "mirror")]

    def is_mirror(self) -> bool:
        """True when rendering a mirror domain."""
        return self.domain != self.op.primary

    def canonical(self, path: str) -> str:
        """Canonical URL (mirrors point at the primary)."""
        return f"http://{self.op.primary}{path}"

    # -- the pieces every site has ---------------------------------------------------------
    def common(self, disallow: tuple[str, ...] = (), sitemap: bool = True,
               not_found: str | None = None) -> None:
        """robots.txt, favicon, sitemap.xml and the 404 page."""
        lines = ["User-agent: *"] + ([f"Disallow: {d}" for d in disallow] or ["Disallow:"])
        if sitemap:
            lines.append(f"\nSitemap: {self.base}/sitemap.xml")
        self.file("/robots.txt", "text/plain; charset=utf-8", ("\n".join(lines) + "\n").encode())
        letter, hue = self.op.brand, self.hue
        self.file("/favicon.ico", "image/x-icon", lambda: images.favicon_ico(letter, hue))
        origin = self.origin()
        origin.not_found = Resource(HTML, (not_found or nginx_error(404, self.op.server))
                                    .encode("utf-8"), status=404)
        if sitemap:
            self.sitemap()

    def sitemap(self) -> None:
        """sitemap.xml listing the HTML pages registered so far (call after the pages)."""
        origin = self.origin()
        urls = sorted(p for p, r in origin.resources.items()
                      if r.content_type == HTML and "?" not in p)
        body = ['<?xml version="1.0" encoding="UTF-8"?>',
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        body += [f"  <url><loc>{esc(self.base + p)}</loc></url>" for p in urls]
        body.append("</urlset>")
        self.file("/sitemap.xml", "application/xml", ("\n".join(body) + "\n").encode())


def nginx_error(status: int, server: str = "nginx") -> str:
    """The bare error page nginx (or Cloudflare in front of it) returns."""
    reason = {301: "Moved Permanently", 404: "Not Found", 500: "Internal Server Error",
              502: "Bad Gateway", 503: "Service Temporarily Unavailable"}.get(status, "Error")
    name = "cloudflare" if server == "cloudflare" else server.split("/")[0].lower()
    return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>{name}</center>\r\n"
            "</body>\r\n</html>\r\n")
