"""Torrent / magnet index templates: a listing-table tracker, a movie-grid site with a JSON
API, and a Korean board ("gnuboard") site.  Each renders in any language."""

from __future__ import annotations

import json
from functools import partial
from urllib.parse import quote_plus

from .. import torrents
from ..html import doc, esc, pager
from ..model import Resource, Work
from ..torrents import Release, human_size
from . import pirate
from .base import HTML, SiteContext

TORRENT = "application/x-bittorrent"

_TABLE_SKINS = (
    {"table": "table-list table table-responsive", "name": "coll-1 name", "se": "coll-2 seeds",
     "le": "coll-3 leeches", "date": "coll-date", "size": "coll-4 size", "user": "coll-5 user",
     "box": "box-info", "wrap": "page-content"},
    {"table": "lista-torrents", "name": "tt-name", "se": "tt-seed", "le": "tt-leech",
     "date": "tt-fecha", "size": "tt-size", "user": "tt-uploader", "box": "ficha",
     "wrap": "contenedor"},
)

_CSS = ("body{font-family:Arial,sans-serif;background:#f2f2f2;margin:0}header{background:#1d1d1d;"
        "padding:10px}header a{color:#fff;margin-right:12px}table{width:100%;border-collapse:"
        "collapse}td,th{padding:6px;border-bottom:1px solid #ddd}.seeds{color:green}"
        ".leeches{color:#c00}footer{font-size:12px;color:#666;padding:20px}")


def _release_id(ctx: SiteContext, rel: Release) -> int:
    return 5_000_000 + int(rel.infohash[:6], 16) % 900_000 + ctx.rng("rid").randint(0, 99)


def _chosen_releases(ctx: SiteContext, works: list[Work], per_work: int = 2) -> list[Release]:
    out: list[Release] = []
    for w in works:
        rels = list(torrents.releases(ctx.seed, w))
        r = ctx.rng("pick", w.id)
        out.extend(sorted(r.sample(rels, min(per_work, len(rels))), key=lambda x: x.name))
    return out


def _comment(ctx: SiteContext) -> str:
    return f"Torrent downloaded from {ctx.op.brand} - http://{ctx.op.primary}"


# ---------------------------------------------------------------------------------------------
def build_table(ctx: SiteContext) -> None:
    """A 1337x-style tracker: category listings, top 100, detail pages, search."""
    t, skin = ctx.t, _TABLE_SKINS[ctx.rng("skin").randint(0, len(_TABLE_SKINS) - 1)]
    works = ctx.pick_works(7)
    rels = _chosen_releases(ctx, works)
    ids = {r.infohash: _release_id(ctx, r) for r in rels}
    users = ("FlixUploads", "mazemaze16", "SceneTime", "Rick_Rls", "TGxGoodies", "dauphin")
    head = pirate.head_extras(ctx)

    def detail_url(rel: Release) -> str:
        return f"/torrent/{ids[rel.infohash]}/{rel.name}/"

    def chrome(title: str, inner: str, path: str) -> str:
        nav = (f'<header><a class="logo" href="/"><img src="/logo.png" alt="{esc(ctx.op.brand)}">'
               f'</a><form action="/search" method="get" class="search"><input name="q" '
               f'placeholder="{esc(t["search_ph"])}"><button>{esc(t["search"])}</button></form>'
               f'<nav><a href="/">{esc(t["home"])}</a><a href="/cat/Movies/1/">{esc(t["movies"])}'
               f'</a><a href="/cat/TV/1/">{esc(t["series"])}</a><a href="/top-100">'
               f'{esc(t["top"])}</a></nav></header>')
        body = (nav + pirate.domains_notice(ctx) + f'<main class="{skin["wrap"]}">{inner}</main>'
                + pirate.footer(ctx))
        return doc(ctx.lang, f"{title} | {ctx.op.brand}", body, head=head, css=_CSS,
                   description=t["torrent_tag"], canonical=ctx.canonical(path))

    def table(rows: list[Release]) -> str:
        out = [f'<table class="{skin["table"]}"><thead><tr><th class="{skin["name"]}">'
               f'{esc(t["name"])}</th><th class="{skin["se"]}">{esc(t["seeders"])}</th>'
               f'<th class="{skin["le"]}">{esc(t["leechers"])}</th><th class="{skin["date"]}">'
               f'{esc(t["uploaded"])}</th><th class="{skin["size"]}">{esc(t["size"])}</th>'
               f'<th class="{skin["user"]}">{esc(t["uploader"])}</th></tr></thead><tbody>']
        for rel in rows:
            se, le = pirate.swarm(ctx, rel.infohash)
            cat = "movies" if rel.work.kind == "movie" else "tv"
            out.append(
                f'<tr><td class="{skin["name"]}"><span class="icon">'
                f'<i class="flaticon-{cat}"></i></span><a href="{esc(detail_url(rel))}">'
                f'{esc(rel.name)}</a></td><td class="{skin["se"]}">{se}</td>'
                f'<td class="{skin["le"]}">{le}</td><td class="{skin["date"]}">'
                f"{esc(pirate.fmt_date(pirate.when(ctx, rel.infohash), ctx.lang))}</td>"
                f'<td class="{skin["size"]}">{esc(human_size(rel.size, ctx.lang))}</td>'
                f'<td class="{skin["user"]}"><span class="uploader">'
                f"{users[ids[rel.infohash] % 6]}</span></td></tr>")
        out.append("</tbody></table>")
        return "".join(out)

    latest = sorted(rels, key=lambda r: pirate.when(ctx, r.infohash), reverse=True)
    ctx.page("/", chrome(t["torrent_tag"], f"<h2>{esc(t['latest'])}</h2>" + table(latest[:15]),
                         "/"))
    movies = [r for r in latest if r.work.kind == "movie"]
    pages = max(1, -(-len(movies) // 6))
    for n in range(1, pages + 1):
        path = f"/cat/Movies/{n}/"
        inner = (f"<h1>{esc(t['movies'])}</h1>" + table(movies[(n - 1) * 6:n * 6]) +
                 pager("/cat/Movies/1/", n, pages, "/cat/Movies/{n}/", (t["prev"], t["next"])))
        ctx.page(path, chrome(t["movies"], inner, path))
    tv = [r for r in latest if r.work.kind != "movie"]
    ctx.page("/cat/TV/1/", chrome(t["series"], f"<h1>{esc(t['series'])}</h1>" + table(tv),
                                  "/cat/TV/1/"))
    top = sorted(rels, key=lambda r: -pirate.swarm(ctx, r.infohash)[0])
    ctx.page("/top-100", chrome(t["top"], f"<h1>{esc(t['top'])}</h1>" + table(top), "/top-100"))

    for rel in rels:
        w = rel.work
        se, le = pirate.swarm(ctx, rel.infohash)
        poster = ctx.poster(w, f"/img/posters/{w.slug}.jpg")
        torrent_path = f"/download/{ids[rel.infohash]}/{quote_plus(rel.name)}.torrent"
        meta, comment = rel.meta, _comment(ctx)
        ctx.file(torrent_path, TORRENT,
                 partial(meta.torrent_file, torrents.TRACKERS[0], comment))
        files = "".join(f"<li>{esc(rel.name)}.mkv ({esc(human_size(rel.size, ctx.lang))})</li>"
                        for _ in (0,))
        inner = (
            f'<div class="{skin["box"]}"><h1>{esc(rel.name)}</h1>'
            f'<img class="cover" src="{esc(poster)}" alt="{esc(ctx.title(w))} poster">'
            f'<ul class="list"><li><strong>{esc(t["category"])}</strong> <span>'
            f'{esc(t["movies"] if w.kind == "movie" else t["series"])}</span></li>'
            f'<li><strong>{esc(t["size"])}</strong> <span>{esc(human_size(rel.size, ctx.lang))}'
            f'</span></li><li><strong>{esc(t["uploaded"])}</strong> <span>'
            f"{esc(pirate.fmt_date(pirate.when(ctx, rel.infohash), ctx.lang))}</span></li>"
            f'<li><strong>{esc(t["seeders"])}</strong> <span class="seeds">{se}</span></li>'
            f'<li><strong>{esc(t["leechers"])}</strong> <span class="leeches">{le}</span></li>'
            f"<li><strong>Infohash</strong> <span>{rel.infohash.upper()}</span></li></ul>"
            f'<a class="btn-magnet" href="{esc(rel.meta.magnet())}">{esc(t["magnet"])}</a> '
            f'<a class="btn-torrent" href="{esc(torrent_path)}">{esc(t["torrent_file"])}</a>'
            f'<h3>{esc(ctx.title(w))} ({w.year})</h3><p>{esc(w.original_title)} - '
            f'{esc(", ".join(w.genres))} - {w.runtime} min</p>'
            f"<h3>Files</h3><ul>{files}</ul></div>")
        ctx.page(detail_url(rel), chrome(rel.name, inner, detail_url(rel)))

    def search(path: str, query: dict[str, list[str]]) -> Resource | None:
        if path != "/search":
            return None
        q = (query.get("q") or [""])[0].strip()
        words = [x for x in q.lower().replace(".", " ").split() if x]
        hits = [r for r in latest if words and all(x in r.name.lower().replace(".", " ")
                                                   for x in words)]
        inner = f"<h1>{esc(t['search'])}: {esc(q)}</h1>" + table(hits)
        return Resource(HTML, chrome(f"{t['search']} {q}", inner, "/search").encode())

    ctx.route(search)
    ctx.logo()
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/search", "/user/"))


# ---------------------------------------------------------------------------------------------
def build_grid(ctx: SiteContext) -> None:
    """A YTS-style movie site: poster grid, one page per movie with a torrent per quality."""
    t = ctx.t
    works = ctx.pick_works(10, kinds=("movie",))
    b32 = ctx.rng("b32").random() < 0.5
    head = pirate.head_extras(ctx)
    css = ("body{background:#171717;color:#ccc;font-family:Arial}.browse-movie-wrap{display:"
           "inline-block;width:210px;margin:10px}.btn{background:#6ac045;color:#fff;padding:4px}")

    def movie_url(w: Work) -> str:
        return f"/movies/{w.slug}-{w.year}"

    def chrome(title: str, inner: str, path: str, og: str | None = None) -> str:
        nav = (f'<div id="main-nav"><a href="/" class="logo"><img src="/logo.png" alt="logo"></a>'
               f'<form method="get" action="/browse-movies" id="quick-search">'
               f'<input name="keyword" placeholder="{esc(t["search_ph"])}"></form>'
               f'<ul class="nav-links"><li><a href="/">{esc(t["home"])}</a></li>'
               f'<li><a href="/browse-movies">{esc(t["movies"])}</a></li>'
               f'<li><a href="/faq">{esc(t["faq"])}</a></li></ul></div>')
        return doc(ctx.lang, title, nav + f'<div class="main-content">{inner}</div>'
                   + pirate.footer(ctx, cls="site-footer"), head=head, css=css,
                   canonical=ctx.canonical(path), og_image=og, description=t["torrent_tag"])

    def card(w: Work) -> str:
        img = ctx.poster(w, f"/assets/images/movies/{w.slug}_{w.year}/medium-cover.jpg")
        return (f'<div class="browse-movie-wrap"><a href="{esc(movie_url(w))}" '
                f'class="browse-movie-link"><figure><img class="img-responsive" src="{esc(img)}" '
                f'alt="{esc(ctx.title(w))} ({w.year})" width="170" height="255"></figure></a>'
                f'<div class="browse-movie-bottom"><a href="{esc(movie_url(w))}" '
                f'class="browse-movie-title">{esc(ctx.title(w))}</a>'
                f'<div class="browse-movie-year">{w.year}</div></div></div>')

    grid = "".join(card(w) for w in works[:8])
    ctx.page("/", chrome(f"{ctx.op.brand} - {t['torrent_tag']}", f'<div id="popular-downloads">'
                         f"<h2>{esc(t['popular'])}</h2>{grid}</div>", "/"))
    per = 4
    pages = -(-len(works) // per)
    for n in range(1, pages + 1):
        path = "/browse-movies" if n == 1 else f"/browse-movies?page={n}"
        inner = ("".join(card(w) for w in works[(n - 1) * per:n * per]) +
                 pager("/browse-movies", n, pages, "/browse-movies?page={n}",
                       (t["prev"], t["next"]), cls="tsc_pagination"))
        ctx.page(path, chrome(f"{t['movies']} - {ctx.op.brand}", inner, path))

    api_movies = []
    for w in works:
        rels = torrents.releases(ctx.seed, w)
        buttons, api_t = [], []
        for rel in rels:
            dl = f"/torrent/download/{rel.infohash.upper()}"
            meta, comment = rel.meta, _comment(ctx)
            ctx.file(dl, TORRENT, partial(meta.torrent_file, torrents.TRACKERS[1], comment))
            se, le = pirate.swarm(ctx, rel.infohash)
            buttons.append(
                f'<div class="modal-torrent"><div class="modal-quality"><span>{rel.quality}</span>'
                f'</div><p class="quality-size">{esc(rel.source)}</p><p class="quality-size">'
                f'{esc(human_size(rel.size, ctx.lang))}</p><a href="{esc(dl)}" rel="nofollow" '
                'class="download-torrent button-green-download2-big" '
                f'title="{esc(t["torrent_file"])}'
                f' {esc(ctx.title(w))} {rel.quality}">{esc(t["download"])}</a>'
                f'<a class="magnet-download download-torrent magnet" href="'
                f'{esc(rel.meta.magnet(base32=b32))}" title="{esc(t["magnet"])}">'
                f'{esc(t["magnet"])}</a></div>')
            api_t.append({"url": ctx.base + dl, "hash": rel.infohash.upper(),
                          "quality": rel.quality, "type": rel.source.lower(), "seeds": se,
                          "peers": le, "size": human_size(rel.size), "size_bytes": rel.size})
        big = ctx.poster(w, f"/assets/images/movies/{w.slug}_{w.year}/large-cover.jpg")
        path = movie_url(w)
        genres = " / ".join(esc(g) for g in w.genres)
        inner = (f'<div id="movie-info"><div id="movie-poster"><img src="{esc(big)}" '
                 f'alt="{esc(ctx.title(w))}"></div><h1 itemprop="name">{esc(ctx.title(w))}</h1>'
                 f"<h2>{w.year}</h2><h2>{genres}</h2><p class=\"hidden-xs\">"
                 f"{esc(t['quality'])}: {' '.join(r.quality for r in rels)}</p>"
                 f'<div class="modal-content">{"".join(buttons)}</div>'
                 f'<div id="synopsis"><h3>{esc(t["synopsis"])}</h3><p>'
                 f"{esc(ctx.title(w))} ({esc(w.original_title)}), {w.runtime} min.</p></div></div>")
        ctx.page(path, chrome(f"{t['download']} {ctx.title(w)} ({w.year}) torrent", inner, path,
                              og=ctx.base + big))
        api_movies.append({"id": int(rels[0].infohash[:5], 16), "url": ctx.base + path,
                           "title": w.title, "title_long": f"{w.title} ({w.year})",
                           "year": w.year, "genres": list(w.genres), "runtime": w.runtime,
                           "medium_cover_image": ctx.base + big, "torrents": api_t})
    api = {"status": "ok", "status_message": "Query was successful",
           "data": {"movie_count": len(api_movies), "limit": 20, "page_number": 1,
                    "movies": api_movies}}
    ctx.file("/api/v2/list_movies.json", "application/json",
             json.dumps(api, ensure_ascii=False).encode())
    ctx.page("/faq", chrome(t["faq"], f"<h1>{esc(t['faq'])}</h1><p>{esc(ctx.op.brand)}: "
                            "magnet links work with any BitTorrent client.</p>"
                            f'<p><a href="/api/v2/list_movies.json">API</a></p>', "/faq"))
    ctx.logo()
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/torrent/download/",))


# ---------------------------------------------------------------------------------------------
def build_board(ctx: SiteContext) -> None:
    """A Korean gnuboard-style torrent board with numbered domains and an address notice."""
    t = ctx.t
    head = pirate.head_extras(ctx)
    boards = (("movie", t["movies"], ("movie",)), ("drama", t["series"], ("series", "anime")))
    n_domain = int("".join(c for c in ctx.op.primary if c.isdigit()) or "1")
    next_domain = ctx.op.primary.replace(str(n_domain), str(n_domain + 1))
    css = ("body{font-size:12px;font-family:'Malgun Gothic',dotum,sans-serif}"
           "#hd{background:#2b3a55}"
           ".tbl_head01 table{width:100%}.td_num{width:60px;text-align:center}")

    def chrome(title: str, inner: str, path: str) -> str:
        gnb = "".join(f'<li class="gnb_1dli"><a href="/bbs/board.php?bo_table={b}" '
                      f'class="gnb_1da">{esc(lbl)}</a></li>' for b, lbl, _ in boards)
        hd = (f'<div id="hd"><h1 id="hd_h1">{esc(title)}</h1><div id="logo"><a href="/">'
              f'<img src="/img/logo.png" alt="{esc(ctx.op.brand)}"></a></div>'
              f'<nav id="gnb"><ul id="gnb_1dul">{gnb}<li class="gnb_1dli"><a href="/bbs/board.'
              f'php?bo_table=notice" class="gnb_1da">공지</a></li></ul></nav></div>')
        return doc("ko", title, hd + pirate.domains_notice(ctx, cls="top_notice") +
                   f'<div id="wrapper"><div id="container">{inner}</div></div>' +
                   pirate.footer(ctx, cls="ft"), head=head, css=css,
                   canonical=ctx.canonical(path), generator="gnuboard5")

    all_latest: list[str] = []
    for bo, label, kinds in boards:
        works = ctx.pick_works(6, kinds=kinds, key=bo)
        rels = _chosen_releases(ctx, works, per_work=1 if bo == "movie" else 2)
        rows = []
        for i, rel in enumerate(rels):
            wr_id = 1000 + i * 7 + ctx.rng("wr", bo).randint(1, 6)
            view = f"/bbs/board.php?bo_table={bo}&wr_id={wr_id}"
            dl = f"/bbs/download.php?bo_table={bo}&wr_id={wr_id}&no=0"
            meta, comment = rel.meta, _comment(ctx)
            ctx.file(dl, TORRENT, partial(meta.torrent_file, torrents.TRACKERS[2], comment))
            poster = ctx.poster(rel.work, f"/data/file/{bo}/thumb-{wr_id}_300x450.jpg")
            date = pirate.fmt_date(pirate.when(ctx, rel.infohash, max_days=60), "ko")
            rows.append(f'<tr><td class="td_num">{wr_id}</td><td class="td_subject"><a href="'
                        f'{esc(view)}">{esc(rel.name)}</a></td><td class="td_name">'
                        f'{esc(t["size"])} {esc(human_size(rel.size))}</td><td class="td_date">'
                        f"{date}</td></tr>")
            se, _ = pirate.swarm(ctx, rel.infohash)
            inner = (f'<article id="bo_v"><header><h2 id="bo_v_title"><span class="bo_v_tit">'
                     f"{esc(rel.name)}</span></h2></header><section id=\"bo_v_info\">"
                     f"{esc(t['uploader'])}: 토렌트봇 · {esc(t['uploaded'])} {date} · "
                     f"{esc(t['seeders'])} {se}</section>"
                     f'<section id="bo_v_file"><ul><li><a href="{esc(dl)}" '
                     'class="view_file_download">'
                     f"<strong>{esc(rel.name)}.torrent</strong></a></li></ul></section>"
                     f'<section id="bo_v_atc"><img src="{esc(poster)}" alt=""><p>'
                     f"{esc(ctx.title(rel.work))} ({rel.work.year}) {esc(t['watch_short'])}</p>"
                     f'<p>마그넷: <a href="{esc(rel.meta.magnet(trackers=1))}">'
                     f"magnet:?xt=urn:btih:{rel.infohash}</a></p></section></article>")
            ctx.page(view, chrome(f"{rel.name} > {label}", inner, view))
            all_latest.append(rows[-1])
        listing = (f'<div class="tbl_head01"><table><caption>{esc(label)}</caption><thead><tr>'
                   f'<th>번호</th><th>{esc(t["name"])}</th><th>{esc(t["size"])}</th>'
                   f'<th>{esc(t["uploaded"])}</th></tr></thead><tbody>')
        half = (len(rows) + 1) // 2
        for n, chunk in ((1, rows[:half]), (2, rows[half:])):
            path = f"/bbs/board.php?bo_table={bo}" + ("" if n == 1 else f"&page={n}")
            inner = (listing + "".join(chunk) + "</tbody></table></div>" +
                     pager(f"/bbs/board.php?bo_table={bo}", n, 2,
                           f"/bbs/board.php?bo_table={bo}&page={{n}}", (t["prev"], t["next"]),
                           cls="pg_wrap"))
            ctx.page(path, chrome(label, inner, path))
    notice = (f"<h2>주소 변경 안내</h2><p>{esc(ctx.op.brand)} 현재 주소: "
              f"<b>{esc(ctx.op.primary)}</b></p><p>차단 시 다음 주소 <b>{esc(next_domain)}</b> "
              "로 자동 이동됩니다. 텔레그램 공지 채널을 구독하세요.</p>")
    ctx.page("/bbs/board.php?bo_table=notice", chrome("공지", notice,
                                                      "/bbs/board.php?bo_table=notice"))
    ctx.page("/", chrome(f"{ctx.op.brand} - {t['torrent_tag']}",
                         f'<div class="latest"><h2>{esc(t["latest"])}</h2><table>'
                         + "".join(all_latest[:12]) + "</table></div>" + notice, "/"))
    ctx.logo("/img/logo.png", "TorrentJoa")
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/bbs/download.php", "/adm/"), sitemap=False)
