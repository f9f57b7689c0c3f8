"""Shared chrome of legitimate sites: a plain header/nav/footer with GA, nothing pirate-like."""

from __future__ import annotations

from ..html import doc, esc, legit_tracking
from ..media import NOW
from .base import SiteContext


def page(ctx: SiteContext, path: str, title: str, inner: str, *,
         nav: tuple[tuple[str, str], ...], cls: str = "site", head: str = "",
         links_title: str = "Links", generator: str | None = None) -> None:
    """Register a page wrapped in the site's header, nav and footer (with roster links)."""
    menu = "".join(f'<a href="{esc(u)}">{esc(lbl)}</a>' for u, lbl in nav)
    links = "".join(f'<li><a href="{esc(u)}">{esc(n)}</a></li>'  # legit sites befriend legit ones
                    for (n, u), ref in zip(ctx.partner_links(), ctx.op.links, strict=True)
                    if not ctx.directory.op(ref).infringing)
    footer = (f'<footer class="{esc(cls)}-footer">'
              + (f"<h4>{esc(links_title)}</h4><ul>{links}</ul>" if links else "")
              + f"<p>&copy; {NOW.year} {esc(ctx.op.brand)}</p></footer>")
    body = (f'<header class="{esc(cls)}-header"><a class="logo" href="/">{esc(ctx.op.brand)}</a>'
            f"<nav>{menu}</nav></header><main>{inner}</main>{footer}")
    ctx.page(path, doc(ctx.lang, title, body, canonical=ctx.base + path, generator=generator,
                       head=legit_tracking(ctx.seed, ctx.op.site) + head,
                       description=f"{ctx.op.brand}: {title}"))
