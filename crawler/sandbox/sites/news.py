"""News sites: front page, sections, pagination and articles about piracy (naming and
linking pirate sites, quoting their slogans) next to ordinary tech news."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from .. import images
from ..html import doc, esc, legit_tracking, pager
from ..media import NOW
from ..model import slugify
from .base import SiteContext
from .news_text import AUTHORS, NEWS_UI, STORIES

_GPT = '<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>'


def _story_type(ctx: SiteContext, ref: str) -> str:
    op = ctx.directory.op(ref)
    domain = ctx.directory.domain(ref)
    role = dict(op.domains).get(domain, "primary")
    if role == "former":
        return "moved"
    if role == "dead":
        return "seized"
    return {"index": "block", "streaming": "stream", "iptv": "iptv"}.get(op.kind or "", "legit")


def build(ctx: SiteContext) -> None:
    """Articles from the roster's links (one story per linked site) plus filler tech news."""
    lang = ctx.lang
    stories = STORIES.get(lang, STORIES["en"])
    home_lbl, piracy_lbl, tech_lbl, by, more = NEWS_UI.get(lang, NEWS_UI["en"])
    skin_b = ctx.rng("skin").random() < 0.5
    head = legit_tracking(ctx.seed, ctx.op.site) + "\n" + _GPT
    articles: list[dict[str, str]] = []
    items: list[tuple[str, str | None]] = [(_story_type(ctx, r), r) for r in ctx.link_refs()]
    items += [("filler1", None), ("filler2", None)]
    for i, (kind, ref) in enumerate(items):
        title_t, paras = stories[kind]
        if ref is not None:
            op = ctx.directory.op(ref)
            domain = ctx.directory.domain(ref)
            name = op.brand if kind != "moved" else domain
            link = f'<a href="http://{esc(domain)}/">{esc(domain)}</a>'
        else:
            name, link, domain = "", "", ""
        title = title_t.format(name=name)
        when = NOW - timedelta(days=i * 2 + 1, hours=i * 3)
        slug = slugify(title)[:70].strip("-")
        path = f"/{when:%Y/%m/%d}/{slug}/"
        section = "tech" if kind in ("filler1", "filler2", "legit") else "piracy"
        body = "".join(f"<p>{p.format(name=esc(name), link=link, domain=esc(domain))}</p>"
                       for p in paras)
        img = f"/wp-content/uploads/{when:%Y/%m}/{slug[:40]}.jpg"
        seed, key = ctx.seed, f"{ctx.op.site}/{slug}"
        ctx.file(img, "image/jpeg", partial(images.photo_jpeg, seed, key))
        articles.append({"title": title, "path": path, "body": body, "img": img,
                         "section": section, "date": f"{when:%Y-%m-%d}",
                         "author": AUTHORS.get(lang, AUTHORS["en"])[i % 2],
                         "lede": paras[0].format(name=name, link=domain, domain=domain)})

    sections = (("piracy", piracy_lbl), ("tech", tech_lbl))

    def chrome(title: str, inner: str, path: str) -> str:
        nav = "".join(f'<a href="/category/{s}/">{esc(lbl)}</a>' for s, lbl in sections)
        header = (f'<header class="{"masthead" if skin_b else "site-header"}"><a href="/" '
                  f'class="brand">{esc(ctx.op.brand)}</a><nav><a href="/">{esc(home_lbl)}</a>'
                  f'{nav}<a href="/about/">About</a></nav></header>')
        foot = f"<footer><p>&copy; {NOW.year} {esc(ctx.op.brand)}</p></footer>"
        return doc(lang, title, header + f"<main>{inner}</main>" + foot, head=head,
                   canonical=ctx.base + path, description=f"{ctx.op.brand} - {title}")

    def teaser(a: dict[str, str]) -> str:
        if skin_b:
            return (f'<div class="story-card"><a href="{esc(a["path"])}"><img src="{esc(a["img"])}"'
                    f' alt="" loading="lazy"></a><h3 class="headline"><a href="{esc(a["path"])}">'
                    f'{esc(a["title"])}</a></h3><time datetime="{a["date"]}">{a["date"]}</time>'
                    "</div>")
        return (f'<article class="post"><h2 class="entry-title"><a href="{esc(a["path"])}">'
                f'{esc(a["title"])}</a></h2><img class="wp-post-image" src="{esc(a["img"])}" '
                f'alt=""><div class="entry-summary"><p>{esc(a["lede"])}</p></div><a class="more" '
                f'href="{esc(a["path"])}">{esc(more)}</a></article>')

    per = 6
    pages = -(-len(articles) // per)
    for n in range(1, pages + 1):
        path = "/" if n == 1 else f"/page/{n}/"
        ctx.page(path, chrome(ctx.op.brand if n == 1 else f"{ctx.op.brand} - {n}", "".join(
            teaser(a) for a in articles[(n - 1) * per:n * per]) + pager(
            "/", n, pages, "/page/{n}/", ("<", ">")), path))
    for sec, label in sections:
        path = f"/category/{sec}/"
        ctx.page(path, chrome(label, f"<h1>{esc(label)}</h1>" + "".join(
            teaser(a) for a in articles if a["section"] == sec), path))
    for a in articles:
        inner = (f'<article class="article"><h1>{esc(a["title"])}</h1><p class="byline">{esc(by)} '
                 f'{esc(a["author"])} · <time datetime="{a["date"]}">{a["date"]}</time></p>'
                 f'<figure><img src="{esc(a["img"])}" alt=""></figure><div class="article-body">'
                 f'{a["body"]}</div></article>')
        ctx.page(a["path"], chrome(a["title"], inner, a["path"]))
    ctx.page("/about/", chrome("About", f"<h1>{esc(ctx.op.brand)}</h1><p>Independent news about "
                               "technology, media and the business of entertainment.</p>",
                               "/about/"))
    ctx.common(disallow=("/wp-admin/",))
