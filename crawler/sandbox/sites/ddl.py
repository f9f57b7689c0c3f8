"""Direct-download (DDL) link sites: a WordPress release blog (NFO, cyberlocker links per
host) and a DataLife-Engine style French portal with protected links and a streaming tab."""

from __future__ import annotations

from datetime import datetime

from .. import i18n, rand, torrents
from ..html import doc, esc, pager
from ..torrents import Release, human_size
from . import pirate
from .base import SiteContext
from .streaming import _hosts
from .videos import host_url, work_key

_RSS = "application/rss+xml; charset=utf-8"
_FR_QUALITY = {("1080p", "BluRay"): "BLURAY 1080p", ("2160p", "WEB-DL"): "4K UHD",
               ("1080p", "WEBRip"): "HDLight 1080p", ("720p", "WEBRip"): "WEBRIP 720p",
               ("1080p", "WEB"): "WEB-DL 1080p", ("720p", "WEB"): "WEB-DL 720p"}


def _nfo(rel: Release, brand: str) -> str:
    w = rel.work
    return (f"{rel.name}\n\n"
            f"  RELEASE DATE .....: {w.year}\n"
            f"  GENRE ............: {' / '.join(w.genres)}\n"
            f"  RUNTIME ..........: {w.runtime} min\n"
            f"  SIZE .............: {human_size(rel.size)}\n"
            f"  VIDEO ............: {rel.quality} {rel.source}\n"
            f"  SOURCE ...........: {rel.source}\n"
            f"  GROUP ............: {rel.group}\n\n"
            f"  uploaded for {brand}")


def _post_slug(rel: Release) -> str:
    return rel.name.lower().replace(".", "-").replace("_", "-")


def build_blog(ctx: SiteContext) -> None:
    """A release blog: posts paginated on /page/N/, categories, one post per release, RSS."""
    t = ctx.t
    works = ctx.pick_works(8)
    rels: list[Release] = []
    for w in works:
        options = torrents.releases(ctx.seed, w)
        rels.append(options[ctx.rng("rel", w.id).randint(0, len(options) - 1)])
    dated = sorted(((pirate.when(ctx, r.infohash, max_days=120), r) for r in rels),
                   key=lambda x: x[0], reverse=True)
    head = (pirate.head_extras(ctx) +
            '\n<link rel="alternate" type="application/rss+xml" href="/feed/">')

    def url(d: datetime, rel: Release) -> str:
        return f"/{d:%Y/%m}/{_post_slug(rel)}/"

    def chrome(title: str, inner: str, path: str) -> str:
        top = (f'<div id="header"><h1 class="site-title"><a href="/">{esc(ctx.op.brand)}</a></h1>'
               f'<p class="site-description">{esc(t["ddl_tag"])}</p><ul id="menu">'
               f'<li><a href="/">{esc(t["home"])}</a></li><li><a href="/category/movies/">'
               f'{esc(t["movies"])}</a></li><li><a href="/category/tv-shows/">{esc(t["series"])}'
               f'</a></li></ul></div>')
        return doc(ctx.lang, title, top + f'<div id="content">{inner}</div>' +
                   pirate.footer(ctx, cls="site-info"), head=head, canonical=ctx.canonical(path),
                   description=t["ddl_tag"], generator="WordPress 6.2.2")

    def excerpt(d: datetime, rel: Release) -> str:
        img = ctx.poster(rel.work, f"/wp-content/uploads/{d:%Y/%m}/{rel.work.slug}.jpg")
        cat = "movies" if rel.work.kind == "movie" else "tv-shows"
        return (f'<div class="post" id="post-{int(rel.infohash[:5], 16)}"><h2 class="postTitle">'
                f'<a href="{esc(url(d, rel))}" rel="bookmark">{esc(rel.name)}</a></h2>'
                f'<div class="postSubTitle">Posted on {d:%B %d, %Y} in <a href="/category/{cat}/">'
                f'{esc(t["movies"] if cat == "movies" else t["series"])}</a></div>'
                f'<div class="postContent"><p><img src="{esc(img)}" alt="{esc(rel.work.title)}">'
                f"</p><p>{esc(rel.work.title)} ({rel.work.year}) | {rel.quality} | "
                f'{esc(human_size(rel.size))}</p><a class="more-link" href="{esc(url(d, rel))}">'
                "Continue reading &raquo;</a></div></div>")

    per = 4
    pages = -(-len(dated) // per)
    for n in range(1, pages + 1):
        path = "/" if n == 1 else f"/page/{n}/"
        inner = "".join(excerpt(d, r) for d, r in dated[(n - 1) * per:n * per])
        ctx.page(path, chrome(f"{ctx.op.brand} | {t['ddl_tag']}", inner +
                              pager("/", n, pages, "/page/{n}/", (t["prev"], t["next"]),
                                    cls="navigation"), path))
    for cat, kinds in (("movies", ("movie",)), ("tv-shows", ("series", "anime"))):
        path = f"/category/{cat}/"
        ctx.page(path, chrome(cat, "".join(excerpt(d, r) for d, r in dated
                                           if r.work.kind in kinds), path))
    for d, rel in dated:
        blocks = []
        for host, urls in torrents.locker_links(ctx.seed, rel.name, rel.size):
            links = "<br>".join(f'<a href="{esc(u)}" target="_blank" rel="nofollow">{esc(u)}</a>'
                                for u in urls)
            blocks.append(f'<p><strong>{esc(host.upper())}</strong><br>{links}</p>')
        img = ctx.poster(rel.work, f"/wp-content/uploads/{d:%Y/%m}/{rel.work.slug}.jpg")
        inner = (f'<div class="post"><h1 class="postTitle">{esc(rel.name)}</h1>'
                 f'<div class="postContent"><p><img src="{esc(img)}" alt=""></p>'
                 f"<p>{esc(i18n.synopsis(d.day, rel.work.genres[0], 'en'))}</p>"
                 f"<pre class=\"nfo\">{esc(_nfo(rel, ctx.op.brand))}</pre>"
                 f'<h3>{esc(t["download"])}</h3>{"".join(blocks)}</div>'
                 f'<div id="comments"><h3>{esc(t["comments"])} (2)</h3><ol class="commentlist">'
                 "<li>thx for the upload, 1fichier links working</li><li>please reup nitro"
                 "</li></ol></div></div>")
        ctx.page(url(d, rel), chrome(rel.name, inner, url(d, rel)))
    items = "".join(f"<item><title>{esc(r.name)}</title><link>{esc(ctx.base + url(d, r))}</link>"
                    f"<pubDate>{d:%a, %d %b %Y %H:%M:%S} +0000</pubDate><category>"
                    f"{'Movies' if r.work.kind == 'movie' else 'TV'}</category></item>"
                    for d, r in dated)
    rss = (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>'
           f"{esc(ctx.op.brand)}</title><link>{esc(ctx.base)}/</link><description>"
           f"{esc(t['ddl_tag'])}</description>{items}</channel></rss>\n")
    ctx.file("/feed/", _RSS, rss.encode())
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/wp-admin/", "/?s="))


def build_portal(ctx: SiteContext) -> None:
    """A French DLE portal: films and series sections, detail pages with protected links."""
    t = ctx.t
    head = pirate.head_extras(ctx)
    hosts = _hosts(ctx) or [("vidstreamz", ctx.directory.domain("vidstreamz"))]
    audio = ("TRUEFRENCH", "FRENCH", "MULTI", "VOSTFR")
    sections = (("films", t["movies"], ("movie",)), ("series", t["series"], ("series", "anime")))

    def chrome(title: str, inner: str, path: str) -> str:
        menu = "".join(f'<li><a href="/{s}/">{esc(lbl)}</a></li>' for s, lbl, _ in sections)
        return doc(ctx.lang, title, f'<div class="header"><a href="/" class="logo">'
                   f'{esc(ctx.op.brand)}</a><ul class="menu">{menu}</ul><form method="post" '
                   f'action="/index.php?do=search"><input name="story" placeholder="'
                   f'{esc(t["search_ph"])}"></form></div>' + pirate.domains_notice(ctx) +
                   f'<div class="wrapper"><div id="dle-content">{inner}</div></div>' +
                   pirate.footer(ctx), head=head, canonical=ctx.canonical(path),
                   generator="DataLife Engine (http://dle-news.ru)", description=t["ddl_tag"])

    home = []
    for sec, label, kinds in sections:
        works = ctx.pick_works(6 if sec == "films" else 3, kinds=kinds, key=sec)
        cards = []
        for w in works:
            news_id = 10_000 + rand.stable_int(ctx.seed, "dle", ctx.op.site, w.id, lo=0, hi=29_999)
            path = f"/{sec}/{news_id}-{w.slug}.html"
            img = ctx.poster(w, f"/uploads/posts/{w.year}/{w.slug}.jpg")
            rels = torrents.releases(ctx.seed, w)
            rel = rels[news_id % len(rels)]
            q = _FR_QUALITY.get((rel.quality, rel.source), f"WEBRIP {rel.quality}")
            a = audio[news_id % len(audio)]
            cards.append(f'<div class="cover_global"><div class="cover_infos_title"><a href="'
                         f'{esc(path)}">{esc(ctx.title(w))}</a></div><img src="{esc(img)}" '
                         f'alt=""><span class="qualite">{esc(q)}</span> <span class="langue">'
                         f"{esc(a)}</span></div>")
            links = []
            for host, urls in torrents.locker_links(ctx.seed, rel.name, rel.size)[:4]:
                shown = (urls if host == "1fichier" else
                         [f"https://lienprotege.net/{rand.alnum(ctx.seed, u, n=10)}" for u in urls])
                links.append(f'<div class="postinfo"><b>{esc(host.capitalize())}</b>: ' +
                             " ".join(f'<a href="{esc(u)}" target="_blank">{esc(t["download"])}'
                                      "</a>" for u in shown) + "</div>")
            key = work_key(w) if w.kind == "movie" else work_key(w, 1)
            stream = "".join(f'<li><a href="{esc(host_url(ctx.seed, s, d, key, "embed"))}" '
                             f'target="_blank">{esc(t["server"])} {i}</a></li>'
                             for i, (s, d) in enumerate(hosts, 1))
            inner = (f"<h1>{esc(t['download'])} {esc(ctx.title(w))} ({w.year}) {esc(q)} "
                     f"{esc(a)}</h1><img src=\"{esc(img)}\" alt=\"\"><div class=\"corps\"><p><b>"
                     f"{esc(t['synopsis'])}</b> : {esc(i18n.synopsis(news_id, w.genres[0], 'fr'))}"
                     f"</p><p><b>{esc(t['quality'])}</b> : {esc(q)} | <b>{esc(t['language'])}</b>"
                     f" : {esc(a)} | <b>{esc(t['size'])}</b> : {esc(human_size(rel.size, 'fr'))}"
                     f"</p><p><b>Release</b> : {esc(rel.name)}</p></div><div class=\"dl\"><h2>"
                     f"{esc(t['links'])}</h2>{''.join(links)}</div><div class=\"streaming\"><h2>"
                     f"{esc(t['watch'].format(t=ctx.title(w)))}</h2><ul>{stream}</ul></div>")
            ctx.page(path, chrome(f"{t['download']} {ctx.title(w)} {q} {a}", inner, path))
        half = (len(cards) + 1) // 2 if len(cards) > 4 else len(cards)
        chunks = [cards[:half], cards[half:]] if half < len(cards) else [cards]
        for n, chunk in enumerate(chunks, 1):
            path = f"/{sec}/" if n == 1 else f"/{sec}/page/{n}/"
            ctx.page(path, chrome(label, f"<h1>{esc(label)}</h1>" + "".join(chunk) + pager(
                f"/{sec}/", n, len(chunks), f"/{sec}/page/{{n}}/", (t["prev"], t["next"]),
                cls="navigation"), path))
        home.append(f'<h2><a href="/{sec}/">{esc(label)}</a></h2>' + "".join(cards[:4]))
    ctx.page("/", chrome(f"{ctx.op.brand} - {t['ddl_tag']}", "".join(home), "/"))
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/index.php?do=search", "/engine/"))
