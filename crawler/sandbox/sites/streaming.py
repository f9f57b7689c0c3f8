"""Streaming portal templates: an fmovies-like grid, a WordPress "muvipro"-like list (with a
self-hosted HLS player on some sites), and a Korean "다시보기" board."""

from __future__ import annotations

import json
from collections.abc import Callable

from .. import i18n
from ..html import banner_ad, doc, esc, pager
from ..model import Resource, Work
from . import pirate
from .base import HTML, SiteContext
from .dash import dash_route
from .hls import hls_route
from .videos import EPISODES, host_url, video_id, work_key


def _hosts(ctx: SiteContext) -> list[tuple[str, str]]:
    """(host op, host domain) of the video hosts this portal embeds, in server order."""
    refs = [r for r in ctx.op.links if ctx.directory.op(r).template == "video_host"]
    return [(ctx.directory.op(r).site, ctx.directory.domain(r)) for r in refs]


def player(ctx: SiteContext, key: str, *, own_hls: bool, style: int,
           downloads: bool = True, own_dash: bool = False) -> str:
    """Server list + player iframe (+ a <video> with the site's own HLS, and DASH) +
    download links."""
    t = ctx.t
    hosts = _hosts(ctx)
    servers = []
    for i, (site, dom) in enumerate(hosts, 1):
        url = host_url(ctx.seed, site, dom, key, "embed")
        label = f"{t['server']} {i}"
        if style == 0:
            servers.append(f'<li class="server-item" data-id="{i}"><a href="javascript:void(0)" '
                           f'data-linkid="{esc(url)}" title="{esc(label)}"><i class="fa fa-play">'
                           f"</i> {esc(label)} ({esc(site.capitalize())})</a></li>")
        else:
            servers.append(f'<li><a href="#" data-src="{esc(url)}" class="gmr-player-tab">'
                           f"{esc(label)}</a></li>")
    first = host_url(ctx.seed, hosts[0][0], hosts[0][1], key, "embed")
    frame = (f'<div class="watching_player-area"><iframe id="iframe-embed" src="{esc(first)}" '
             'width="100%" height="500" frameborder="0" scrolling="no" allowfullscreen '
             'referrerpolicy="origin"></iframe></div>')
    video = ""
    if own_hls:
        vid = video_id(ctx.seed, ctx.op.site, key)
        video = (f'<div class="player-own"><video id="player-hls" controls playsinline '
                 f'poster="/thumb/{vid}.jpg"><source src="{esc(ctx.base)}/hls/{vid}/master.m3u8"'
                 ' type="application/x-mpegURL">' +
                 (f'<source src="{esc(ctx.base)}/dash/{vid}/manifest.mpd" '
                  'type="application/dash+xml">' if own_dash else "") + "</video></div>")
    links = "".join(  # portals link the download page of their main host only
        f'<a class="btn-download" href="{esc(host_url(ctx.seed, s, d, key, "download"))}" '
        f'rel="nofollow" target="_blank">{esc(t["download"])} - {esc(s.capitalize())}</a> '
        for s, d in hosts[:1] if downloads)
    block = (f'<div class="download-links"><h3>{esc(t["links"])}</h3>{links}</div>' if links
             else "")
    return (f'<div class="player">{video}{frame}<ul class="servers">{"".join(servers)}</ul>'
            f"{block}</div>")


def _own_hls(ctx: SiteContext, keys: list[str], dash: bool = False) -> None:
    """Serve HLS (and DASH) for the site's own player and its thumbnails."""
    table = {video_id(ctx.seed, ctx.op.site, k): k for k in keys}
    works = {w.id: w for w in ctx.catalog.works}

    def lookup(vid: str) -> tuple[int, bool] | None:
        key = table.get(vid)
        return None if key is None else (works[key.partition(":")[0]].runtime, False)

    ctx.route(hls_route("/hls", lookup))
    if dash:
        ctx.route(dash_route("/dash", lookup, lang=ctx.lang))
    for vid, key in table.items():
        ctx.poster(works[key.partition(":")[0]], f"/thumb/{vid}.jpg")


def _search_route(ctx: SiteContext, works: list[Work], param: str,
                  render: Callable[[str, list[Work]], str]) -> None:
    def route(path: str, query: dict[str, list[str]]) -> Resource | None:
        if path not in ("/search", "/search/"):
            return None
        q = (query.get(param) or [""])[0].strip().lower()
        hits = [w for w in works if q and any(q in n.lower() for n in w.names())]
        return Resource(HTML, render(q, hits).encode())
    ctx.route(route)


# ---------------------------------------------------------------------------------------------
def build_grid(ctx: SiteContext) -> None:
    """fmovies-like: home with trending sliders, movie/TV listings, genre pages, watch pages."""
    t = ctx.t
    slow = ctx.op.behaviour == "slow"
    kinds = ("anime", "series") if ctx.op.site.startswith("anime") else ("movie", "series")
    works = ctx.pick_works(2 if slow else 7, kinds=kinds)
    n_eps = 2 if slow else EPISODES
    head = pirate.head_extras(ctx)
    css = ("body{background:#111;color:#eee;font-family:Roboto,sans-serif}.flw-item{display:"
           "inline-block;width:180px;margin:8px}.film-poster-img{width:180px}a{color:#ddd}")
    ids = {w.id: 1000 + int(video_id(ctx.seed, ctx.op.site, w.id)[:4], 36) % 90000
           for w in works}

    def url(w: Work) -> str:
        return f"/{'movie' if w.kind == 'movie' else 'tv'}/watch-{w.slug}-{ids[w.id]}"

    def card(w: Work) -> str:
        img = ctx.poster(w, f"/images/poster/{w.slug}-{ids[w.id]}.jpg")
        q = "HD" if w.kind == "movie" else f"SS 1 / EPS {n_eps}"
        return (f'<div class="flw-item"><div class="film-poster"><div class="pick film-poster-'
                f'quality">{q}</div><img data-src="{esc(img)}" src="/images/no_poster.jpg" '
                f'class="film-poster-img lazyload" alt="{esc(ctx.title(w))}">'
                f'<a href="{esc(url(w))}"'
                f' class="film-poster-ahref" title="{esc(ctx.title(w))}"></a></div>'
                f'<div class="film-detail"><h3 class="film-name"><a href="{esc(url(w))}">'
                f'{esc(ctx.title(w))}</a></h3><div class="fd-infor"><span class="fdi-item">'
                f'{w.year}</span><span class="dot"></span><span class="fdi-type">'
                f'{esc(t["movies"] if w.kind == "movie" else t["series"])}</span></div></div>'
                "</div>")

    home_path = "/" if slow else "/home"

    def chrome(title: str, inner: str, path: str) -> str:
        nav = ('<div id="header"><a href="/" id="logo"><img src="/logo.png" '
               f'alt="{esc(ctx.op.brand)}"></a><div id="header_menu">'
               f'<ul class="header_menu-list"><li><a href="{home_path}">'
               f'{esc(t["home"])}</a></li><li><a href="/movies">{esc(t["movies"])}</a></li>'
               f'<li><a href="/tv-shows">{esc(t["series"])}</a></li></ul></div>'
               f'<form id="search" action="/search" method="get"><input name="keyword" '
               f'placeholder="{esc(t["search_ph"])}"></form></div>')
        return doc(ctx.lang, title, nav + banner_ad(ctx.seed, ctx.op.site, "top") +
                   f'<div id="main-wrapper">{inner}</div>' + pirate.footer(ctx, cls="footer-about"),
                   head=head, css=css, description=t["free_tag"], canonical=ctx.canonical(path))

    def block(title: str, items: list[Work]) -> str:
        return (f'<section class="block_area"><h2 class="cat-heading">{esc(title)}</h2>'
                f'<div class="film_list-wrap">{"".join(card(w) for w in items)}</div></section>')

    home = block(t["popular"], works[:6]) + block(t["latest"], works)
    ctx.page("/", chrome(f"{ctx.op.brand} - {t['free_tag']}", home, "/"))
    if not slow:
        ctx.page("/home", chrome(f"{ctx.op.brand} - {t['free_tag']}", home, "/home"))
    movies = [w for w in works if w.kind != "series"]
    shows = [w for w in works if w.kind == "series"]
    pages = max(1, -(-len(movies) // 4))
    for n in range(1, pages + 1):
        path = "/movies" if n == 1 else f"/movies?page={n}"
        ctx.page(path, chrome(t["movies"], block(t["movies"], movies[(n - 1) * 4:n * 4]) +
                              pager("/movies", n, pages, "/movies?page={n}",
                                    (t["prev"], t["next"])), path))
    ctx.page("/tv-shows", chrome(t["series"], block(t["series"], shows or works[:2]), "/tv-shows"))
    genres = sorted({w.genres[0] for w in works})[:1 if slow else 2]
    for g in genres:
        path = f"/genre/{g.lower().replace('-', '')}"
        ctx.page(path, chrome(i18n.genre(g, ctx.lang), block(i18n.genre(g, ctx.lang),
                              [w for w in works if g in w.genres]), path))

    for idx, w in enumerate(works):
        title = t["watch"].format(t=ctx.title(w))
        genre_links = " ".join(
            f'<a href="/genre/{g.lower().replace("-", "")}">{esc(i18n.genre(g, ctx.lang))}</a>'
            if g in genres else esc(i18n.genre(g, ctx.lang)) for g in w.genres)
        info = (f'<div class="detail_page-infor"><img class="film-poster-img" src="'
                f'{esc(ctx.poster(w, f"/images/poster/{w.slug}-{ids[w.id]}.jpg"))}" alt="">'
                f'<h2 class="heading-name">{esc(ctx.title(w))}</h2><div class="description">'
                f"{esc(i18n.synopsis(idx, w.genres[0], ctx.lang))}</div><div class=\"elements\">"
                f"<div>{esc(t['genre'])}: {genre_links}</div><div>{esc(t['year'])}: {w.year}</div>"
                f"<div>{esc(t['duration'])}: {w.runtime} min</div></div></div>")
        if w.kind == "movie":
            inner = (f"<h1>{esc(title)}</h1>" + player(ctx, work_key(w), own_hls=False, style=0)
                     + info)
            ctx.page(url(w), chrome(title, inner, url(w)))
            continue
        eps = "".join(f'<li class="nav-item"><a href="{esc(url(w))}/1-{e}" class="eps-item">'
                      f'{esc(t["episode"])} {e}</a></li>' for e in range(1, n_eps + 1))
        ctx.page(url(w), chrome(title, f"<h1>{esc(title)}</h1><div class=\"seasons\"><h3>"
                                f"{esc(t['season'])} 1</h3><ul>{eps}</ul></div>" + info, url(w)))
        for e in range(1, n_eps + 1):
            p = f"{url(w)}/1-{e}"
            etitle = f"{title} - {t['season']} 1 {t['episode']} {e}"
            ctx.page(p, chrome(etitle, f"<h1>{esc(etitle)}</h1>" +
                               player(ctx, work_key(w, e), own_hls=False, style=0) +
                               f'<ul class="eps">{eps}</ul>', p))

    _search_route(ctx, works, "keyword", lambda q, hits: chrome(
        f"{t['search']}: {q}", block(f"{t['search']}: {q}", hits), "/search"))
    ctx.file("/images/no_poster.jpg", "image/jpeg", _placeholder)
    ctx.logo()
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/ajax/", "/search"))


def _placeholder() -> bytes:
    from PIL import Image

    from ..images import encode
    return encode(Image.new("RGB", (180, 270), (40, 40, 40)), "JPEG", 60)


# ---------------------------------------------------------------------------------------------
def build_list(ctx: SiteContext) -> None:
    """A WordPress streaming theme: article grid, /page/N/, genre archives, watch posts."""
    t = ctx.t
    works = ctx.pick_works(8)
    own_hls = ctx.op.site in ("cinepipoca", "voirfilms-hd")
    own_dash = ctx.op.site == "voirfilms-hd"  # its player also streams DASH
    head = pirate.head_extras(ctx)
    css = (".gmr-box-content{background:#fff}.item-infinite{float:left;width:25%}"
           ".gmr-embed-responsive{position:relative;padding-bottom:56.25%}")
    keys: list[str] = []

    def url(w: Work) -> str:
        return f"/{w.slug}-{w.year}/" if w.kind == "movie" else f"/tv/{w.slug}/"

    def article(w: Work) -> str:
        img = ctx.poster(w, f"/wp-content/uploads/{w.year}/{w.slug}-152x228.jpg")
        return (f'<article class="item-infinite col-md-20 item has-post-thumbnail"><div class="'
                f'gmr-box-content gmr-box-archive text-center"><div class="content-thumbnail '
                f'text-center"><a href="{esc(url(w))}" '
                f'title="{esc(t["watch"].format(t=ctx.title(w)))}'
                f'"><img width="152" height="228" src="{esc(img)}" class="attachment-medium '
                f'size-medium wp-post-image" alt="{esc(ctx.title(w))}"></a><div class="gmr-rating-'
                f'item"><span class="icon_star"></span> {6 + (w.year % 4) * 0.7:.1f}</div>'
                f'<div class="gmr-quality-item hd"><a href="{esc(url(w))}">HD</a></div></div>'
                f'<div class="item-article"><h2 class="entry-title"><a href="{esc(url(w))}">'
                f"{esc(ctx.title(w))} ({w.year})</a></h2></div></div></article>")

    genres = sorted({w.genres[0] for w in works})[:2]

    def chrome(title: str, inner: str, path: str) -> str:
        menu = "".join(f'<li class="menu-item"><a href="/genre/{esc(g.lower())}/">'
                       f"{esc(i18n.genre(g, ctx.lang))}</a></li>" for g in genres)
        top = (f'<header id="masthead" class="site-header"><div class="gmr-logo"><a href="/" '
               f'class="custom-logo-link"><img src="/wp-content/uploads/logo.png" alt="'
               f'{esc(ctx.op.brand)}"></a></div><nav id="site-navigation" class="gmr-mainmenu">'
               f'<ul id="primary-menu" class="menu"><li class="menu-item"><a href="/">'
               f'{esc(t["home"])}</a></li>{menu}</ul></nav><form method="get" action="/">'
               f'<input type="text" name="s" placeholder="{esc(t["search_ph"])}"></form></header>')
        return doc(ctx.lang, title, top + pirate.domains_notice(ctx, cls="gmr-topnotification") +
                   f'<div id="primary" class="content-area"><main id="main" class="site-main">'
                   f"{inner}</main></div>" + pirate.footer(ctx, cls="site-footer"),
                   head=head + '\n<link rel="https://api.w.org/" href="/wp-json/">', css=css,
                   canonical=ctx.canonical(path), description=t["free_tag"],
                   generator="WordPress 6.4.3")

    per = 4
    pages = -(-len(works) // per)
    for n in range(1, pages + 1):
        path = "/" if n == 1 else f"/page/{n}/"
        inner = (f'<h1 class="page-title">{esc(t["free_tag"])}</h1><div id="gmr-main-load">'
                 + "".join(article(w) for w in works[(n - 1) * per:n * per]) + "</div>" +
                 pager("/", n, pages, "/page/{n}/", (t["prev"], t["next"]), cls="pagination"))
        ctx.page(path, chrome(f"{ctx.op.brand} - {t['free_tag']}", inner, path))
    for g in genres:
        path = f"/genre/{g.lower()}/"
        ctx.page(path, chrome(i18n.genre(g, ctx.lang), "".join(
            article(w) for w in works if g in w.genres), path))

    def watch_page(w: Work, key: str, path: str, title: str, extra: str = "") -> None:
        keys.append(key)
        img = ctx.poster(w, f"/wp-content/uploads/{w.year}/{w.slug}-152x228.jpg")
        play = player(ctx, key, own_hls=own_hls, style=1, own_dash=own_dash)
        inner = (f'<article class="post"><h1 class="entry-title">{esc(title)}</h1>'
                 f'<div class="gmr-embed-responsive">{play}'
                 f'</div><div class="entry-content entry-content-single"><img src="{esc(img)}" '
                 f'alt=""><p>{esc(i18n.synopsis(len(keys), w.genres[0], ctx.lang))}</p>'
                 f'<div class="gmr-moviedata"><strong>{esc(t["genre"])}:</strong> '
                 f'{esc(", ".join(i18n.genre(g, ctx.lang) for g in w.genres))}</div>'
                 f'<div class="gmr-moviedata"><strong>{esc(t["year"])}:</strong> {w.year}</div>'
                 f'<div class="gmr-moviedata"><strong>{esc(t["duration"])}:</strong> {w.runtime} '
                 f"min</div></div>{extra}</article>")
        ctx.page(path, chrome(title, inner, path))

    for w in works:
        if w.kind == "movie":
            watch_page(w, work_key(w), url(w), t["watch"].format(t=f"{ctx.title(w)} ({w.year})"))
            continue
        eps = [(e, f"/eps/{w.slug}-episode-{e}/") for e in range(1, EPISODES + 1)]
        listing = ('<div class="gmr-listseries">' + "".join(
            f'<a class="button" href="{esc(p)}">{esc(t["episode"])} {e}</a>' for e, p in eps)
                   + "</div>")
        watch_page(w, work_key(w, 1), url(w), t["watch"].format(t=ctx.title(w)), listing)
        for e, p in eps:
            watch_page(w, work_key(w, e), p,
                       t["watch"].format(t=f"{ctx.title(w)} {t['episode']} {e}"), listing)
    if own_hls:
        _own_hls(ctx, keys, dash=own_dash)
    ctx.file("/wp-json/", "application/json; charset=UTF-8", json.dumps(
        {"name": ctx.op.brand, "description": t["free_tag"], "url": ctx.base,
         "home": ctx.base, "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"]},
        ensure_ascii=False).encode())
    ctx.logo("/wp-content/uploads/logo.png")
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/wp-admin/",))


# ---------------------------------------------------------------------------------------------
def build_board(ctx: SiteContext) -> None:
    """Korean 다시보기 site: category lists, a page per title with episode links, watch pages."""
    t = ctx.t
    head = pirate.head_extras(ctx)
    cats = (("movie", t["movies"], ("movie",)), ("drama", t["series"], ("series",)),
            ("ani", t["anime"], ("anime",)))
    css = "body{font-family:'Noto Sans KR',sans-serif}.list-row{border-bottom:1px solid #eee}"
    board_eps = 2

    def chrome(title: str, inner: str, path: str) -> str:
        menu = "".join(f'<a class="cat" href="/{c}/">{esc(lbl)}</a>' for c, lbl, _ in cats)
        return doc("ko", title, f'<div class="gnb"><a href="/" class="logo">{esc(ctx.op.brand)}'
                   f'</a>{menu}</div>' + pirate.domains_notice(ctx, cls="addr-notice") +
                   f'<div class="contents">{inner}</div>' + pirate.footer(ctx, cls="foot"),
                   head=head, css=css, canonical=ctx.canonical(path),
                   description=t["free_tag"])

    home_rows = []
    for cat, label, kinds in cats:
        works = ctx.pick_works({"movie": 4, "drama": 3}.get(cat, 1), kinds=kinds, key=cat)
        rows = []
        for w in works:
            base = f"/{cat}/{w.slug}/"
            img = ctx.poster(w, f"/upload/{cat}/{w.slug}.jpg")
            rows.append(f'<div class="list-row"><a href="{esc(base)}"><img src="{esc(img)}" '
                        f'width="100"> <b>{esc(ctx.title(w))}</b></a> <span class="date">'
                        f"{w.year}</span></div>")
            if w.kind == "movie":
                inner = (f"<h1>{esc(t['watch'].format(t=ctx.title(w)))}</h1>"
                         + player(ctx, work_key(w), own_hls=False, style=1) +
                         f"<p>{esc(i18n.synopsis(3, w.genres[0], 'ko'))}</p>")
                ctx.page(base, chrome(t["watch"].format(t=ctx.title(w)), inner, base))
                continue
            eps = "".join(f'<li><a href="{base}{e}">{e}{esc(t["episode"])}</a></li>'
                          for e in range(1, board_eps + 1))
            ctx.page(base, chrome(t["watch"].format(t=ctx.title(w)),
                                  f"<h1>{esc(ctx.title(w))}</h1><img src=\"{esc(img)}\">"
                                  f"<ul class=\"ep-list\">{eps}</ul>", base))
            for e in range(1, board_eps + 1):
                title = t["watch"].format(t=f"{ctx.title(w)} {e}{t['episode']}")
                ctx.page(f"{base}{e}", chrome(title, f"<h1>{esc(title)}</h1>" + player(
                    ctx, work_key(w, e), own_hls=False, style=1) + f"<ul>{eps}</ul>", f"{base}{e}"))
        ctx.page(f"/{cat}/", chrome(label, f"<h1>{esc(label)}</h1>" + "".join(rows), f"/{cat}/"))
        home_rows.append(f"<h2>{esc(label)}</h2>" + "".join(rows[:3]))
    ctx.page("/", chrome(f"{ctx.op.brand} - {t['free_tag']}", "".join(home_rows), "/"))
    pirate.dmca_and_contact(ctx)
    ctx.common()
