"""Video hosts ("upload & earn" sites) whose embed players the streaming portals iframe.

Files are addressed by id; an unknown id gets the "file was deleted" page real hosts show.
"""

from __future__ import annotations

import re
from functools import partial

from .. import images
from ..html import doc, esc
from ..model import Resource
from ..torrents import scene_title
from . import pirate
from .base import HTML, SiteContext
from .hls import hls_route
from .videos import PATTERNS, all_video_keys, matches, video_id

_JW = ("/* JW Player 8.26.0 (c) 2023 */ window.jwplayer=window.jwplayer||function(id){return{"
       "setup:function(c){var v=document.createElement('video');v.controls=true;"
       "v.src=c.sources[0].file;document.getElementById(id).appendChild(v);return this}}};\n")


def build(ctx: SiteContext) -> None:
    """Landing pages, embed/download pages by id, HLS streams and thumbnails."""
    site, brand = ctx.op.site, ctx.op.brand
    pat = PATTERNS[site]
    works = {w.id: w for w in ctx.catalog.works}
    chans = {c.id: c for c in ctx.catalog.channels}
    games = {m.key: m for m in matches(ctx.seed)}
    table = {video_id(ctx.seed, site, k): k for k in all_video_keys(ctx.seed, ctx.catalog)}
    head = pirate.head_extras(ctx)

    def describe(key: str) -> tuple[str, int, bool]:
        """(file title, minutes, live) of a key."""
        if key.startswith("ch:"):
            return f"{chans[key[3:]].name} LIVE", 60, True
        if key.startswith("match:"):
            m = games[key]
            return f"{m.home} vs {m.away} - {m.league} LIVE", 120, True
        wid, _, ep = key.partition(":e")
        w = works[wid]
        if ep:
            return f"{scene_title(w.title)}.S01E{int(ep):02d}.1080p.WEB.mp4", w.runtime, False
        return f"{scene_title(w.title)}.{w.year}.1080p.WEBRip.x264.mp4", w.runtime, False

    def thumb(key: str) -> bytes:
        if key.startswith("ch:"):
            return images.channel_logo(chans[key[3:]])
        if key.startswith("match:"):
            return images.photo_jpeg(ctx.seed, key, 640, 360)
        return images.backdrop_bytes(ctx.seed, works[key.partition(":")[0]], 640, 70)

    def deleted() -> Resource:
        html = doc("en", f"File not found - {brand}", '<div class="error"><h1>File was deleted'
                   "</h1><p>The file you were looking for could not be found, sorry for any "
                   "inconvenience. Possible causes: the file expired or was deleted by its owner, "
                   "or it was removed due to a copyright violation.</p></div>")
        return Resource(HTML, html.encode(), status=404)

    def rx(what: str) -> re.Pattern[str]:
        return re.compile("^" + re.escape(pat[what]).replace(r"\{id\}", "([A-Za-z0-9]+)") + "$")

    embed_rx, dl_rx, thumb_rx = rx("embed"), rx("download"), rx("thumb")
    hls_prefix = pat["hls"].split("/{id}")[0]

    def route(path: str, query: dict[str, list[str]]) -> Resource | None:
        for pattern, what in ((embed_rx, "embed"), (dl_rx, "download"), (thumb_rx, "thumb")):
            m = pattern.match(path)
            if not m:
                continue
            key = table.get(m.group(1))
            if key is None:
                return deleted()
            vid = m.group(1)
            if what == "thumb":
                return Resource("image/png" if key.startswith("ch:") else "image/jpeg",
                                partial(thumb, key))
            title, minutes, live = describe(key)
            hls = ctx.base + pat["hls"].format(id=vid)
            poster = pat["thumb"].format(id=vid)
            if what == "embed":
                body = (f'<div id="vplayer"></div><video id="player" class="video-js" controls '
                        f'preload="none" poster="{esc(poster)}" width="100%"><source src="'
                        f'{esc(hls)}" type="application/x-mpegURL"></video>'
                        f'<script src="/js/jwplayer.js"></script><script>jwplayer("vplayer")'
                        f'.setup({{sources:[{{file:"{hls}",type:"hls"}}],image:"{poster}",'
                        f'width:"100%",aspectratio:"16:9",autostart:false,'
                        f'title:"{esc(title)}"}});</script>')
                if live:
                    body += '<span class="live-badge">LIVE</span>'
                html = doc("en", f"{title} - {brand}", body, head=head, body_class="embed")
            else:
                size = f"{minutes * 9.3:.1f} MB" if minutes < 100 else f"{minutes / 85:.2f} GB"
                html = doc("en", f"Download {title} - {brand}",
                           f'<div class="download-page"><h1>{esc(title)}</h1><p>Size: {size}</p>'
                           f'<form method="post" action="/dl"><input type="hidden" name="op" '
                           f'value="download2"><input type="hidden" name="id" value="{vid}">'
                           '<button class="btn">Create download link</button></form>'
                           "<p>Free users: 1 download per 6 hours, max speed "
                           f'500 KB/s. <a href="/premium">Get Premium</a></p></div>', head=head)
            return Resource(HTML, html.encode())
        return None

    def lookup(vid: str) -> tuple[int, bool] | None:
        key = table.get(vid)
        if key is None:
            return None
        _, minutes, live = describe(key)
        return minutes, live

    ctx.route(route)
    ctx.route(hls_route(hls_prefix, lookup))
    ctx.file("/js/jwplayer.js", "application/javascript", _JW.encode())

    nav = ('<nav class="top"><a href="/">Home</a> <a href="/premium">Premium</a> <a href="/earn">'
           'Earn money</a> <a href="/api">API</a> <a href="/dmca">Report abuse</a> '
           '<a href="/login">Login</a></nav>')
    pages = {
        "/": (f"{brand} - Upload, share and earn", f"<h1>{esc(brand)}</h1><p>Unlimited storage, "
              "fast streaming in HD, embed anywhere. Earn up to $40 per 10,000 views.</p>"
              '<p><a class="btn" href="/register">Sign up free</a></p>'),
        "/premium": ("Premium", "<h1>Premium</h1><ul><li>30 days - $9.99</li><li>90 days - "
                     "$24.99</li><li>365 days - $69.99</li></ul><p>No ads, no waiting, "
                     "unlimited downloads.</p>"),
        "/earn": ("Earn money", "<h1>Earn with your uploads</h1><table><tr><th>Country tier"
                  "</th><th>per 10k views</th></tr><tr><td>Tier 1 (US, UK, CA)</td><td>$40</td>"
                  "</tr><tr><td>Tier 2 (FR, ES, BR)</td><td>$20</td></tr><tr><td>Others</td>"
                  "<td>$10</td></tr></table><p>Minimum payout $10 via PayPal, USDT, Payoneer.</p>"),
        "/api": ("API", "<h1>API</h1><pre>GET /api/upload/server?key=YOUR_KEY\nGET /api/file/"
                 "info?key=YOUR_KEY&amp;file_code=CODE\nGET /api/file/clone?key=..&amp;file_code=.."
                 "</pre><p>Remote upload from torrent/magnet supported.</p>"),
        "/dmca": ("Report abuse", "<h1>Report abuse / DMCA</h1><p>Send the file links to "
                  f"abuse@{esc(ctx.op.primary)}. We process notices within 48 hours.</p>"
                  '<form method="post" action="/dmca"><textarea name="links"></textarea>'
                  "<button>Send</button></form>"),
        "/login": ("Login", '<form method="post" action="/login"><input name="login"><input '
                   'type="password" name="password"><button>Login</button></form>'
                   '<p><a href="/register">Create account</a></p>'),
        "/register": ("Sign up", '<form method="post" action="/register"><input name="email">'
                      '<input type="password" name="password"><button>Register</button></form>'),
    }
    for path, (title, inner) in pages.items():
        ctx.page(path, doc("en", f"{title} - {brand}", nav + inner +
                           f"<footer>&copy; {brand}</footer>",
                           head=pirate.head_extras(ctx, popunder=False)))
    ctx.logo()
    ctx.common(disallow=("/api/",), sitemap=False)
