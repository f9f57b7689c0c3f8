"""Legitimate film and music sites: licensed subscription services (DRM, plans), review
blogs with YouTube trailers, a film database, a cinema chain, public-domain archives with
legal torrents and free streams, and a Creative Commons music archive."""

from __future__ import annotations

from functools import partial

from .. import i18n, images, rand, torrents
from ..html import esc
from ..model import Work, slugify
from . import legit
from .base import SiteContext
from .hls import hls_route

_SVOD = {
    "en": ("Unlimited films and series. Watch anywhere. Cancel anytime.",
           (("Standard with ads", "$6.99"), ("Standard", "$15.49"), ("Premium 4K", "$22.99")),
           "Start your 7-day free trial", "Plans", "Browse", "Help", "Play", "per month"),
    "ko": ("영화와 드라마를 무제한으로. 언제 어디서나 시청하세요.",
           (("광고형 스탠다드", "5,500원"), ("스탠다드", "13,500원"), ("프리미엄 4K", "17,000원")),
           "한 달 무료 체험 시작", "요금제", "찾아보기", "고객센터", "재생", "월"),
    "id": ("Nonton film dan serial legal tanpa batas. Kapan saja, di mana saja.",
           (("Mobile", "Rp39.000"), ("Standar", "Rp79.000"), ("Premium 4K", "Rp139.000")),
           "Coba gratis 7 hari", "Paket", "Jelajahi", "Bantuan", "Putar", "per bulan"),
}


def _mpd(slug: str) -> str:
    """A DASH manifest with Widevine and PlayReady protection, as licensed services use."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" '
            'xmlns:cenc="urn:mpeg:cenc:2013" type="static" mediaPresentationDuration="PT1H58M" '
            'minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">\n'
            ' <Period>\n  <AdaptationSet mimeType="video/mp4" segmentAlignment="true">\n'
            '   <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" '
            f'cenc:default_KID="{rand.hexid(0, "kid", slug, n=8)}-0000-4000-8000-'
            f'{rand.hexid(0, "kid2", slug, n=12)}"/>\n'
            '   <ContentProtection schemeIdUri="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"/>\n'
            '   <ContentProtection schemeIdUri="urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95"/>\n'
            '   <Representation id="1080p" bandwidth="5000000" width="1920" height="1080" '
            'codecs="avc1.640028"><BaseURL>video_1080p.mp4</BaseURL></Representation>\n'
            "  </AdaptationSet>\n </Period>\n</MPD>\n")


def build_svod(ctx: SiteContext) -> None:
    """A licensed subscription service: plans, catalogue, title pages, DRM player."""
    tag, plans, trial, plans_lbl, browse_lbl, help_lbl, play_lbl, per = _SVOD.get(
        ctx.lang, _SVOD["en"])
    works = ctx.pick_works(8)
    nav = (("/", ctx.op.brand), ("/browse/", browse_lbl), ("/plans/", plans_lbl),
           ("/help/", help_lbl))
    plan_html = '<div class="plan-grid">' + "".join(
        f'<div class="plan-card"><h3>{esc(n)}</h3><p class="plan-price">{esc(p)} {esc(per)}</p>'
        "</div>" for n, p in plans) + f'</div><a class="cta" href="/signup/">{esc(trial)}</a>'

    def tile(w: Work) -> str:
        img = ctx.poster(w, f"/artwork/{w.slug}/portrait.jpg")
        return (f'<a class="title-card" href="/title/{w.slug}/"><img src="{esc(img)}" alt="'
                f'{esc(ctx.title(w))}"><span>{esc(ctx.title(w))}</span></a>')

    legit.page(ctx, "/", f"{ctx.op.brand} - {tag}", f'<section class="hero"><h1>{esc(tag)}</h1>'
               f'{plan_html}</section><section class="row">{"".join(tile(w) for w in works[:6])}'
               "</section>", nav=nav)
    legit.page(ctx, "/browse/", browse_lbl, f'<div class="grid">{"".join(tile(w) for w in works)}'
               "</div>", nav=nav)
    legit.page(ctx, "/plans/", plans_lbl, f"<h1>{esc(plans_lbl)}</h1>{plan_html}<p>4K requires "
               "a Widevine L1 / FairPlay capable device. Up to 4 screens at the same time.</p>",
               nav=nav)
    for w in works:
        art = ctx.poster(w, f"/artwork/{w.slug}/portrait.jpg")
        legit.page(ctx, f"/title/{w.slug}/", ctx.title(w),
                   f'<div class="title-hero"><img src="{esc(art)}" alt="">'
                   f"<h1>{esc(ctx.title(w))}</h1><p>{w.year} · {w.runtime} min · "
                   f'{esc(", ".join(i18n.genre(g, ctx.lang) for g in w.genres))}</p><a class="play"'
                   f' href="/watch/{w.slug}/">{esc(play_lbl)}</a></div>', nav=nav)
        ctx.file(f"/manifests/{w.slug}.mpd", "application/dash+xml", _mpd(w.slug).encode())
        legit.page(ctx, f"/watch/{w.slug}/", ctx.title(w),
                   f'<div id="player" data-license="https://license.{ctx.domain}/widevine">'
                   f'<video id="video" controls data-dash="/manifests/{w.slug}.mpd"></video>'
                   "<script>/* Shaka Player with EME: Widevine / PlayReady / FairPlay */</script>"
                   "</div><p>Sign in to watch.</p>", nav=nav,
                   head='<script src="https://ajax.googleapis.com/ajax/libs/shaka-player/4.7.0/'
                        'shaka-player.compiled.js"></script>')
    legit.page(ctx, "/signup/", trial, f"<h1>{esc(trial)}</h1>"
               '<form method="post" action="/signup/">'
               '<input type="email" name="email"><button type="submit">Continue</button></form>',
               nav=nav)
    legit.page(ctx, "/help/", help_lbl, f"<h1>{esc(help_lbl)}</h1><p>Smart TV, Fire TV, Apple TV, "
               "Android TV, Chromecast, game consoles, web browsers.</p>", nav=nav)
    ctx.common(disallow=("/watch/", "/signup/"))


_REVIEW = {
    "en": ("Review", "Verdict", "Where to watch", "Trailer", "Latest reviews",
           "{t} is a confident, handsomely shot piece of work that earns its running time.",
           "About", "A film blog since 2011."),
    "ko": ("리뷰", "한줄평", "시청 가능한 곳", "예고편", "최신 리뷰",
           "{t}은(는) 완성도 높은 연출과 배우들의 열연이 돋보이는 작품이다.",
           "소개", "2015년부터 드라마와 영화를 리뷰합니다."),
}


def build_review(ctx: SiteContext) -> None:
    """A review blog: posters, ratings, YouTube trailer embeds, links to licensed services."""
    rv, verdict, where, trailer, latest, text, about, about_text = _REVIEW.get(
        ctx.lang, _REVIEW["en"])
    works = ctx.pick_works(8)
    services = [(n, u) for n, u in ctx.partner_links()]
    nav = (("/", latest), ("/category/reviews/", rv), ("/about/", about))
    posts = []
    for i, w in enumerate(works):
        img = ctx.poster(w, f"/wp-content/uploads/{w.year}/{w.slug}-poster.jpg")
        yt = rand.alnum(ctx.seed, "yt", w.id, n=11, upper=True)
        stars = 3 + (i % 3)
        where_html = ", ".join(f'<a href="{esc(u)}">{esc(n)}</a>' for n, u in services[:2])
        path = f"/review/{w.slug}-{w.year}/"
        legit.page(ctx, path, f"{rv}: {ctx.title(w)} ({w.year})",
                   f'<article class="review"><h1>{esc(rv)}: {esc(ctx.title(w))} ({w.year})</h1>'
                   f'<img class="poster" src="{esc(img)}" alt="{esc(ctx.title(w))} poster">'
                   f'<p class="rating" data-stars="{stars}">{"★" * stars}{"☆" * (5 - stars)}</p>'
                   f"<p>{esc(text.format(t=ctx.title(w)))}</p><p>"
                   f"{esc(i18n.synopsis(i, w.genres[0], ctx.lang))}"
                   f"</p><h3>{esc(trailer)}</h3><iframe width=\"560\" height=\"315\" src=\"https://"
                   f'www.youtube.com/embed/{yt}" title="YouTube video player" frameborder="0" '
                   'allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; '
                   'picture-in-picture" allowfullscreen></iframe>'
                   f"<h3>{esc(verdict)}</h3><p>{stars}/5</p><p>{esc(where)}: {where_html}</p>"
                   "</article>", nav=nav, generator="WordPress 6.4.3")
        posts.append(f'<article class="post"><a href="{esc(path)}"><img src="{esc(img)}" '
                     f'alt=""></a><h2><a href="{esc(path)}">{esc(rv)}: {esc(ctx.title(w))}</a>'
                     "</h2></article>")
    half = (len(posts) + 1) // 2
    legit.page(ctx, "/", f"{ctx.op.brand} - {latest}", "".join(posts[:half]) +
               '<a class="next" href="/page/2/">&raquo;</a>', nav=nav, generator="WordPress 6.4.3")
    legit.page(ctx, "/page/2/", f"{ctx.op.brand} - 2", "".join(posts[half:]) +
               '<a class="prev" href="/">&laquo;</a>', nav=nav)
    legit.page(ctx, "/category/reviews/", rv, "".join(posts), nav=nav)
    legit.page(ctx, "/about/", about, f"<h1>{esc(about)}</h1><p>{esc(about_text)}</p>", nav=nav)
    ctx.common(disallow=("/wp-admin/",))


def build_filmdb(ctx: SiteContext) -> None:
    """An IMDb-like database: title pages with original titles, AKAs, and where to watch."""
    works = ctx.pick_works(14)
    nav = (("/", "Home"), ("/chart/top/", "Top rated"), ("/search", "Search"))
    cast = ("Mara Quinn", "Daniel Osei", "Lea Fontaine", "Kim Ji-ho", "Rafael Prado", "Sari Wulan",
            "Tom Adair", "Inés Carrasco")
    services = ctx.partner_links()
    rows = []
    for i, w in enumerate(works):
        tt = f"tt{rand.stable_int(ctx.seed, 'tt', w.id, lo=1_000_000, hi=9_999_999)}"
        img = ctx.poster(w, f"/images/M/{tt}_V1_UX300.jpg")
        akas = "".join(f"<li>{esc(a)}</li>" for a in w.aliases)
        watch = "".join(f'<li><a href="{esc(u)}">{esc(n)}</a></li>' for n, u in services[:3])
        people = ", ".join(cast[(i + k) % len(cast)] for k in range(3))
        legit.page(ctx, f"/title/{tt}/", f"{w.title} ({w.year}) - FilmDatabase",
                   f'<div class="title-overview"><img src="{esc(img)}" alt="{esc(w.title)} poster">'
                   f"<h1>{esc(w.title)} <span class=\"year\">({w.year})</span></h1>"
                   f'<div class="originalTitle">{esc(w.original_title)} (original title)</div>'
                   f"<p>{w.runtime} min | {esc(', '.join(w.genres))} | "
                   f"{'Movie' if w.kind == 'movie' else 'TV Series'}</p><p>Stars: {esc(people)}</p>"
                   f'<h3>Also known as</h3><ul class="akas">{akas}</ul>'
                   f'<h3>Where to watch</h3><ul class="watch">{watch}</ul></div>', nav=nav)
        rows.append(f'<tr><td><a href="/title/{tt}/">{esc(w.title)}</a> ({w.year})</td>'
                    f"<td>{6.1 + (i * 7 % 30) / 10:.1f}</td></tr>")
    legit.page(ctx, "/", "FilmDatabase - films, series, cast", '<h1>Popular titles</h1><table '
               f'class="chart">{"".join(rows[:8])}</table>', nav=nav)
    legit.page(ctx, "/chart/top/", "Top rated", f'<table class="chart">{"".join(rows)}</table>',
               nav=nav)
    legit.page(ctx, "/search", "Search", '<form action="/search"><input name="q"></form>', nav=nav)
    ctx.common(disallow=("/search",))


def build_cinema(ctx: SiteContext) -> None:
    """A cinema chain (pt): films showing, sessions, trailers, tickets, locations."""
    works = ctx.pick_works(6, kinds=("movie",))
    nav = (("/", "Em cartaz"), ("/cinemas/", "Cinemas"), ("/promocoes/", "Promoções"))
    cards = []
    for w in works:
        img = ctx.poster(w, f"/media/filmes/{w.slug}/cartaz.jpg")
        yt = rand.alnum(ctx.seed, "yt", w.id, n=11, upper=True)
        times = " ".join(f'<span class="sessao">{h}:{m:02d}</span>' for h, m in
                         ((14, 10), (16, 40), (19, 20), (21, 50)))
        path = f"/filme/{w.slug}/"
        legit.page(ctx, path, f"{ctx.title(w)} - Telaplex", f"<h1>{esc(ctx.title(w))}</h1>"
                   f'<img src="{esc(img)}" alt=""><p>{esc(i18n.synopsis(1, w.genres[0], "pt"))}</p>'
                   f'<div class="sessoes"><h3>Sessões hoje</h3>{times}</div><iframe src="https://'
                   f'www.youtube.com/embed/{yt}" allowfullscreen></iframe><p><a class="btn" href="'
                   f'/ingressos/{w.slug}/">Comprar ingresso</a></p>', nav=nav)
        legit.page(ctx, f"/ingressos/{w.slug}/", f"Ingressos {ctx.title(w)}", "<h1>Escolha sua "
                   "sessão</h1><p>Inteira R$ 38,00 · Meia-entrada R$ 19,00</p>", nav=nav)
        cards.append(f'<div class="filme-card"><a href="{path}"><img src="{esc(img)}" alt="">'
                     f"<h3>{esc(ctx.title(w))}</h3></a></div>")
    legit.page(ctx, "/", "Telaplex Cinemas - Em cartaz", "".join(cards), nav=nav)
    legit.page(ctx, "/cinemas/", "Cinemas", "<ul><li>Telaplex Paulista</li><li>Telaplex Moema"
               "</li><li>Telaplex Campinas</li></ul>", nav=nav)
    legit.page(ctx, "/promocoes/", "Promoções", "<p>Terça-feira: ingresso a R$ 15.</p>", nav=nav)
    ctx.common()


# Real public-domain films (US), the staple of legal free film archives.
_PD = (("Nosferatu", 1922, 94, "Horror", "Nosferatu, eine Symphonie des Grauens"),
       ("The General", 1926, 78, "Comedy", "El maquinista de la General"),
       ("The Kid", 1921, 68, "Comedy", "El chico"),
       ("Night of the Living Dead", 1968, 96, "Horror", "La noche de los muertos vivientes"),
       ("His Girl Friday", 1940, 92, "Comedy", "Luna nueva"),
       ("Charade", 1963, 113, "Mystery", "Charada"),
       ("Sherlock Jr.", 1924, 45, "Comedy", "El moderno Sherlock Holmes"),
       ("Detour", 1945, 68, "Noir", "Detour"))


def build_pd(ctx: SiteContext) -> None:
    """A public-domain film archive: free streaming (HLS), MP4 download, legal torrents."""
    es = ctx.lang == "es"
    watch = "Ver gratis" if es else "Watch free"
    nav = (("/", "Inicio" if es else "Home"), ("/films/", "Películas" if es else "Films"),
           ("/about/", "Acerca de" if es else "About"))
    films = []
    for i, (title, year, minutes, genre, es_title) in enumerate(_PD):
        shown = es_title if es else title
        w = Work(f"pd{i}", title, title, year, (es_title,), "movie", "en", (genre,), minutes)
        films.append((w, shown))
    lookup = {slugify(w.title): w.runtime for w, _ in films}
    ctx.route(hls_route("/stream", lambda vid: (lookup[vid], False) if vid in lookup else None))
    cards = []
    for w, shown in films:
        slug = slugify(w.title)
        img = ctx.poster(w, f"/posters/{slug}.jpg")
        meta = torrents.make_torrent(ctx.seed, f"{slug}-{w.year}.mp4", w.runtime * 9_000_000)
        tpath = f"/download/{slug}-{w.year}.torrent"
        ctx.file(tpath, "application/x-bittorrent", partial(
            meta.torrent_file, "http://bt1.archive-trackers.org:6969/announce",
            f"{ctx.op.brand} - public domain"))
        ctx.file(f"/download/{slug}-{w.year}.mp4", "video/mp4",
                 b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(40))
        body = (f"<h1>{esc(shown)} ({w.year})</h1><video controls poster=\"{esc(img)}\">"
                f'<source src="/stream/{slug}/master.m3u8" type="application/x-mpegURL"></video>'
                f'<p class="license">{"Dominio público" if es else "Public domain"}</p>'
                f'<ul class="downloads"><li><a href="/download/{slug}-{w.year}.mp4">MP4</a></li>'
                f'<li><a href="{tpath}">Torrent</a></li><li><a href="{esc(meta.magnet())}">'
                "Magnet</a></li></ul>")
        legit.page(ctx, f"/film/{slug}/", f"{watch}: {shown} ({w.year})", body, nav=nav)
        cards.append(f'<div class="film"><a href="/film/{slug}/"><img src="{esc(img)}" alt="">'
                     f"{esc(shown)} ({w.year})</a> <span>{esc(watch)}</span></div>")
    legit.page(ctx, "/", f"{ctx.op.brand} - {watch}", "".join(cards[:4]), nav=nav)
    legit.page(ctx, "/films/", "Films", "".join(cards[:4]) + '<a href="/films/page/2/">2</a>',
               nav=nav)
    legit.page(ctx, "/films/page/2/", "Films 2", "".join(cards[4:]) + '<a href="/films/">1</a>',
               nav=nav)
    legit.page(ctx, "/about/", "About", "<p>" + ("Todas las películas de este archivo son de "
               "dominio público: puede verlas y descargarlas gratis y legalmente." if es else
               "Every film in this archive is in the public domain: watch, download and share "
               "them freely and legally.") + "</p>", nav=nav)
    ctx.common()


def build_music(ctx: SiteContext) -> None:
    """A Creative Commons music archive: albums with free MP3 downloads."""
    albums = (("Night Swimmers", "Lowtide Choir"), ("Paper Lanterns", "Ana Ferro"),
              ("Field Recordings Vol. 2", "The Quiet Room"), ("Neon Rain", "KVLT Beats"))
    nav = (("/", "Home"), ("/albums/", "Albums"), ("/about/", "About"))
    cards = []
    for album, artist in albums:
        slug = slugify(album)
        cover = f"/covers/{slug}.jpg"
        ctx.file(cover, "image/jpeg", partial(images.photo_jpeg, ctx.seed, slug, 300, 300))
        tracks = []
        for n in range(1, 4):
            f = f"/mp3/{slug}/{n:02d}.mp3"
            ctx.file(f, "audio/mpeg", b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(64))
            tracks.append(f'<li>Track {n} <a href="{f}">Free download (MP3)</a></li>')
        legit.page(ctx, f"/album/{slug}/", f"{album} by {artist}", f"<h1>{esc(album)}</h1>"
                   f'<p>{esc(artist)}</p><img src="{cover}" alt=""><p class="license">CC BY 4.0'
                   f'</p><ol>{"".join(tracks)}</ol>', nav=nav)
        cards.append(f'<li><a href="/album/{slug}/">{esc(album)}</a> - {esc(artist)}</li>')
    legit.page(ctx, "/", "CC Music Archive - free, legal music", f'<ul>{"".join(cards)}</ul>',
               nav=nav)
    legit.page(ctx, "/albums/", "Albums", f'<ul>{"".join(cards)}</ul>', nav=nav)
    legit.page(ctx, "/about/", "About", "<p>All music is published by the artists under "
               "Creative Commons licences.</p>", nav=nav)
    ctx.common()
