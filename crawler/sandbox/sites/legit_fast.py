"""A free, ad-supported, licensed streaming service (FAST/AVOD): "watch free movies" with
HLS players and ads, yet entirely legal; the hardest look-alike for keyword detectors."""

from __future__ import annotations

from .. import i18n
from ..html import esc
from ..model import Work
from . import legit
from .base import SiteContext
from .hls import hls_route
from .videos import video_id

_IMA = ('<script async src="https://imasdk.googleapis.com/js/sdkloader/ima3.js"></script>\n'
        '<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>')
_CHANNELS = ("PlazaTV Action", "PlazaTV Comedy", "PlazaTV Crime Drama", "PlazaTV Classics")


def build(ctx: SiteContext) -> None:
    """Home rows, catalogue pages, watch pages with own HLS, FAST live channels, help."""
    works = ctx.pick_works(10)
    nav = (("/", "Home"), ("/movies/", "Free Movies"), ("/series/", "Free TV"),
           ("/live/", "Live TV"), ("/help/", "Help"))
    ids = {video_id(ctx.seed, ctx.op.site, w.id): w.runtime for w in works}
    ids.update({video_id(ctx.seed, ctx.op.site, c): 0 for c in _CHANNELS})
    ctx.route(hls_route("/hls", lambda vid: None if vid not in ids else (ids[vid] or 60,
                                                                         ids[vid] == 0)))

    def tile(w: Work) -> str:
        img = ctx.poster(w, f"/img/{w.slug}/poster-342.jpg")
        return (f'<a class="tile" href="/watch/{w.slug}"><img src="{esc(img)}" alt="'
                f'{esc(w.title)}"><span class="tile-title">{esc(w.title)}</span>'
                '<span class="badge">Free</span></a>')

    movies = [w for w in works if w.kind == "movie"]
    shows = [w for w in works if w.kind != "movie"]
    legit.page(ctx, "/", "PlazaTV - Watch Free Movies & TV Online | 100% Free & Legal",
               "<h1>Watch free movies and TV</h1><p>No subscription. No credit card. Always "
               "free, always legal: every title is licensed from its studio and supported by "
               f'ads.</p><h2>Free movies</h2><div class="row">{"".join(map(tile, movies[:6]))}'
               f'</div><h2>Free TV series</h2><div class="row">{"".join(map(tile, shows[:4]))}'
               "</div>", nav=nav, head=_IMA)
    legit.page(ctx, "/movies/", "Free Movies", f'<div class="grid">{"".join(map(tile, movies))}'
               "</div>", nav=nav, head=_IMA)
    legit.page(ctx, "/series/", "Free TV Series", f'<div class="grid">{"".join(map(tile, shows))}'
               "</div>", nav=nav, head=_IMA)
    for i, w in enumerate(works):
        vid = video_id(ctx.seed, ctx.op.site, w.id)
        legit.page(ctx, f"/watch/{w.slug}", f"Watch {w.title} ({w.year}) Free Online | PlazaTV",
                   f"<h1>Watch {esc(w.title)} free</h1><video id=\"player\" controls "
                   f'data-ad-tag="https://pubads.g.doubleclick.net/gampad/ads?iu=/21775744923/'
                   f'plazatv/preroll&amp;sz=640x480&amp;vpmute=0"><source src="/hls/{vid}/'
                   'master.m3u8" type="application/x-mpegURL"></video>'
                   f"<p>{w.year} · {w.runtime} min · {esc(', '.join(w.genres))} · Free with ads"
                   f"</p><p>{esc(i18n.synopsis(i, w.genres[0], 'en'))}</p>", nav=nav, head=_IMA)
    live = "".join(f'<li><a href="/live/{c.lower().replace(" ", "-")}">{esc(c)}</a></li>'
                   for c in _CHANNELS)
    legit.page(ctx, "/live/", "Live TV - free channels", f"<h1>Live TV</h1><p>Free 24/7 "
               f"channels, no sign-up.</p><ul>{live}</ul>", nav=nav, head=_IMA)
    for c in _CHANNELS:
        vid = video_id(ctx.seed, ctx.op.site, c)
        slug = c.lower().replace(" ", "-")
        legit.page(ctx, f"/live/{slug}", f"{c} - Live TV", f"<h1>{esc(c)}</h1><video controls "
                   f'autoplay muted><source src="/hls/{vid}/master.m3u8" '
                   'type="application/x-mpegURL"></video>', nav=nav, head=_IMA)
    legit.page(ctx, "/help/", "Help", "<h2>How can PlazaTV be free?</h2><p>We show a few ads "
               "per title. Studios license their films and series to us and share the ad "
               "revenue.</p><h2>Devices</h2><p>Web, Android, iOS, Roku, Fire TV, smart TVs.</p>",
               nav=nav)
    ctx.common()
