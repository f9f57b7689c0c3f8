"""IPTV templates: reseller shops (two layouts), free-playlist blogs that post M3U files and
leaked Xtream lines, and the Xtream panels those lines live on."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from .. import images, rand
from ..html import doc, esc, pager
from ..media import M3U_TYPE, NOW, M3UEntry, day_schedule, m3u, xmltv
from ..model import Resource
from ..roster import PANELS
from ..xtream import Line, Panel, panel_lines, streams, tvg_id
from . import pirate
from .base import SiteContext
from .iptv_text import PLAN_MONTHS, SHOP


def _panel_of(ctx: SiteContext) -> tuple[str, str, int]:
    """(panel op, api host, port) of the first panel this operation links to."""
    for ref in ctx.op.links:
        site = ctx.directory.op(ref).site
        if site in PANELS:
            host, port = PANELS[site]
            return site, host, port
    raise ValueError(f"{ctx.op.site} links no panel")


def _m3u_url(host: str, port: int, line: Line, output: str = "ts") -> str:
    return (f"http://{host}:{port}/get.php?username={line.username}&password={line.password}"
            f"&type=m3u_plus&output={output}")


def build_shop(ctx: SiteContext) -> None:
    """A reseller shop: landing, pricing, products, trial line, channel list, setup guides."""
    s = SHOP.get(ctx.lang, SHOP["en"])
    t = ctx.t
    woo = ctx.rng("layout").random() < 0.5
    panel, host, port = _panel_of(ctx)
    lines = panel_lines(ctx.seed, panel)
    trial = lines[sorted(o.site for o in ctx.directory.ops.values()
                         if o.template == "iptv_shop").index(ctx.op.site) % 3]
    portal = f"http://{host}:{port}/c/"
    head = pirate.head_extras(ctx, popunder=False)
    cur = s["cur"]
    prices = s["prices"].split("|")
    premium = [c for c in ctx.catalog.channels if c.category in ("sports", "movies")]
    for c in premium:
        ctx.file(f"/wp-content/uploads/channels/{c.slug}.png", "image/png",
                 partial(images.channel_logo, c))
    phone = rand.stable_int(ctx.seed, "phone", ctx.op.site, lo=7_000_000_000, hi=7_999_999_999)
    nav_items = (("/", t["home"]), ("/pricing/", t["plans"]), ("/free-trial/", t["free_trial"]),
                 ("/channel-list/", t["channels"].capitalize()), ("/setup/", t["setup"]),
                 ("/faq/", t["faq"]), ("/reseller/", "Reseller"), ("/contact/", t["contact"]))

    def chrome(title: str, inner: str, path: str) -> str:
        nav = "".join(f'<li class="menu-item"><a href="{p}">{esc(lbl)}</a></li>'
                      for p, lbl in nav_items)
        body = (f'<header class="site-header"><a class="site-logo" href="/"><img src="/logo.png" '
                f'alt="{esc(ctx.op.brand)}"></a><ul class="main-menu">{nav}</ul>'
                f'<a class="cta" href="/free-trial/">{esc(t["free_trial"])}</a></header>'
                f'<main class="{"woocommerce" if woo else "elementor"}">{inner}</main>'
                f'<a class="whatsapp-float" href="https://wa.me/44{phone}'
                f'">WhatsApp</a>' + pirate.footer(ctx, cls="site-footer"))
        return doc(ctx.lang, title, body, head=head, canonical=ctx.canonical(path),
                   description=s["sub"], generator="WooCommerce 8.5.2" if woo else "Elementor 3.18")

    def plans() -> str:
        cards = []
        for months, price in zip(PLAN_MONTHS, prices, strict=True):
            label = f"{months} {t['month'] if months == 1 else t['months']}"
            url = f"/product/iptv-{months}-{'month' if months == 1 else 'months'}/"
            if woo:
                cards.append(f'<li class="product type-product"><a href="{url}" class="woocommerce-'
                             f'LoopProduct-link"><h2 class="woocommerce-loop-product__title">IPTV '
                             f'{esc(label)}</h2><span class="price"><span class="woocommerce-Price-'
                             f'amount amount"><bdi><span class="woocommerce-Price-currencySymbol">'
                             f"{esc(cur)}</span>{esc(price)}</bdi></span></span></a>"
                             f'<a href="{url}" class="button add_to_cart_button">{esc(t["buy"])}'
                             "</a></li>")
            else:
                cards.append(f'<div class="elementor-price-table"><div class="elementor-price-'
                             f'table__header"><h3>{esc(label)}</h3></div><div class="elementor-'
                             f'price-table__price"><span class="elementor-price-table__currency">'
                             f'{esc(cur)}</span><span class="elementor-price-table__integer-part">'
                             f'{esc(price)}</span></div><ul class="elementor-price-table__features'
                             f'-list"><li>20,000+ {esc(t["channels"])}</li><li>{esc(t["vod"])}</li>'
                             f'<li>{esc(t["anti_freeze"])}</li></ul><a class="elementor-price-'
                             f'table__button" href="{url}">{esc(t["buy"])}</a></div>')
        wrap = "ul" if woo else "div"
        return f'<{wrap} class="products columns-4 pricing">{"".join(cards)}</{wrap}>'

    features = "".join(f"<li>{esc(f)}</li>" for f in s["features"].split("|"))
    logos = "".join(f'<img src="/wp-content/uploads/channels/{c.slug}.png" alt="{esc(c.name)}" '
                    'width="64">' for c in premium[:10])
    faq = "".join(f"<h3>{esc(q)}</h3><p>{esc(a)}</p>" for q, a in
                  zip(s["faq_q"].split("|"), s["faq_a"].split("|"), strict=True))
    ctx.page("/", chrome(f"{ctx.op.brand} | {s['hero']}",
                         f'<section class="hero"><h1>{esc(s["hero"])}</h1><p>{esc(s["sub"])}</p>'
                         f'<a class="btn" href="/free-trial/">{esc(t["free_trial"])}</a></section>'
                         f'<section class="logos">{logos}</section><section class="features"><ul>'
                         f"{features}</ul></section><section><h2>{esc(t['plans'])}</h2>{plans()}"
                         f"</section><section class=\"faq\">{faq}</section>", "/"))
    ctx.page("/pricing/", chrome(f"{t['plans']} - {ctx.op.brand}", f"<h1>{esc(t['plans'])}</h1>"
                                 + plans(), "/pricing/"))
    for months, price in zip(PLAN_MONTHS, prices, strict=True):
        label = f"{months} {t['month'] if months == 1 else t['months']}"
        path = f"/product/iptv-{months}-{'month' if months == 1 else 'months'}/"
        ctx.page(path, chrome(f"IPTV {label} - {ctx.op.brand}",
                              f'<div class="product"><h1 class="product_title">IPTV '
                              f"{esc(label)}</h1>"
                              f'<p class="price">{esc(cur)}{esc(price)}</p><ul>{features}</ul>'
                              '<form class="cart" method="post" action="/cart/">'
                              '<input type="hidden"'
                              f' name="add-to-cart" value="{months * 101}"><button type="submit">'
                              f"{esc(t['buy'])}</button></form></div>", path))
    creds = (f'<div class="trial-line"><p>{esc(s["trial"])}</p><table>'
             f"<tr><th>Server URL</th><td>http://{host}:{port}</td></tr>"
             f"<tr><th>Username</th><td>{trial.username}</td></tr>"
             f"<tr><th>{esc(t['password'])}</th><td>{trial.password}</td></tr></table>"
             f'<p><a class="btn" href="{esc(_m3u_url(host, port, trial))}">M3U Plus</a> '
             f'<a class="btn" href="{esc(_m3u_url(host, port, trial, "m3u8"))}">M3U8 (HLS)</a>'
             f"</p><p>Portal MAG / Stalker: {esc(portal)}</p></div>")
    ctx.page("/free-trial/", chrome(f"{t['free_trial']} - {ctx.op.brand}",
                                    f"<h1>{esc(t['free_trial'])}</h1>{creds}", "/free-trial/"))
    groups = s["groups"].split("|")
    chan_rows = "".join(f"<tr><td>{esc(groups[i % len(groups)])}</td><td>{esc(c.name)}</td>"
                        f"<td>FHD / HD</td></tr>" for i, c in enumerate(ctx.catalog.channels))
    ctx.page("/channel-list/", chrome(
        f"{t['channels']} - {ctx.op.brand}", f"<h1>20,000+ {esc(t['channels'])}</h1><table "
        f'class="channel-list"><tr><th>Group</th><th>Channel</th><th>{esc(t["quality"])}</th></tr>'
        f"{chan_rows}</table>", "/channel-list/"))
    guides = (("mag", "MAG 322/524", s["guide_mag"].format(brand=ctx.op.brand, portal=portal)),
              ("firestick", "Amazon Firestick", s["guide_fire"]),
              ("smart-tv", "Smart TV (Samsung / LG)", s["guide_tv"]))
    ctx.page("/setup/", chrome(t["setup"], f"<h1>{esc(t['setup'])}</h1><ul>" + "".join(
        f'<li><a href="/setup/{g}/">{esc(n)}</a></li>' for g, n, _ in guides) + "</ul>",
        "/setup/"))
    for g, name, text in guides:
        ctx.page(f"/setup/{g}/", chrome(f"{t['setup']} {name}", f"<h1>{esc(t['setup'])}: "
                                        f"{esc(name)}</h1><ol><li>{esc(text)}</li></ol>",
                                        f"/setup/{g}/"))
    ctx.page("/faq/", chrome(t["faq"], f"<h1>{esc(t['faq'])}</h1>{faq}", "/faq/"))
    ctx.page("/reseller/", chrome("Reseller", f"<h1>Reseller</h1><p>{esc(s['reseller'])}</p>",
                                  "/reseller/"))
    handle = esc(ctx.op.site.replace("-", ""))
    ctx.page("/contact/", chrome(t["contact"], f"<h1>{esc(t['contact'])}</h1><p>WhatsApp / "
                                 f"Telegram: @{handle}</p>", "/contact/"))
    ctx.logo()
    ctx.page("/dmca", chrome("DMCA", "<h1>DMCA</h1><p>We only resell access to publicly "
                             "available streams.</p>", "/dmca"))
    ctx.common(disallow=("/cart/", "/checkout/", "/my-account/", "/wp-admin/"))


_LIST_TEXT = {
    "en": ("Free IPTV M3U Playlist {d} - UK Sports, USA, Canada (Updated Daily)",
           "Free Xtream Codes IPTV {d} - Working Server, Username & Password",
           "Download the m3u file or copy the link into VLC, Kodi, IPTV Smarters or TiviMate.",
           "Fresh Xtream Codes accounts, tested today. Use them before they expire!"),
    "id": ("Playlist IPTV M3U Gratis {d} - Channel Indonesia & Sport Terbaru",
           "Akun Xtream Codes IPTV Gratis {d} - Server, Username, Password",
           "Download file m3u atau salin link ke VLC, Kodi, IPTV Smarters atau TiviMate.",
           "Akun Xtream Codes baru, sudah dites hari ini. Nonton gratis sebelum expired!"),
}


def build_lists(ctx: SiteContext) -> None:
    """A free-IPTV blog: daily M3U posts (files served here) and leaked Xtream lines."""
    t = ctx.t
    m3u_title, xc_title, m3u_text, xc_text = _LIST_TEXT.get(ctx.lang, _LIST_TEXT["en"])
    head = pirate.head_extras(ctx)
    panels = [(site, *PANELS[site]) for site in
              (ctx.directory.op(r).site for r in ctx.op.links) if site in PANELS]
    chans = list(ctx.catalog.channels)
    for c in chans:
        ctx.file(f"/logos/{c.slug}.png", "image/png", partial(images.channel_logo, c))
    epg_chans = [(tvg_id(c), c.name, f"{ctx.base}/logos/{c.slug}.png") for c in chans]
    progs = []
    for c in chans:
        for p in day_schedule(ctx.seed, c.id, ["Live Sport", "Movie", "News", "Series"], slots=4):
            p.channel = tvg_id(c)
            progs.append(p)
    stream_of = {site: {s.channel.id: s.stream_id for s in reversed(streams(ctx.seed, site,
                                                                            ctx.catalog))}
                 for site, _, _ in panels}
    ctx.file("/epg/guide.xml", "application/xml; charset=utf-8",
             xmltv(epg_chans, progs, generator=ctx.op.brand, source=ctx.base).encode())
    posts: list[tuple[str, str, str, str]] = []  # (path, title, category, html)
    for day in range(5):
        d = NOW - timedelta(days=day)
        stamp = f"{d:%Y%m%d}"
        r = ctx.rng("playlist", day)
        picks = r.sample(chans, 12)
        site, host, port = panels[day % len(panels)]
        line = panel_lines(ctx.seed, site)[3 + day % 3]
        entries = []
        for c in picks:
            if r.random() < 0.6:
                sid = stream_of[site][c.id]
                url = f"http://{host}:{port}/{line.username}/{line.password}/{sid}"
            else:
                url = f"http://203.0.113.{r.randint(2, 250)}:8000/live/{c.slug}/index.m3u8"
            extra = {"tvg-country": c.country}
            if c.category == "sports":
                extra.update({"catchup": "default", "catchup-days": "3",
                              "catchup-source": "?utc={utc}&lutc={lutc}"})
            entries.append(M3UEntry(c.name, url, tvg_id(c), c.name,
                                    f"{ctx.base}/logos/{c.slug}.png",
                                    f"{c.country} {c.category.upper()}", extra))
        fname = f"/m3u/iptv-{stamp}.m3u"
        body = m3u(entries, x_tvg_url=f"{ctx.base}/epg/guide.xml")
        ctx.file(fname, M3U_TYPE, body.encode())
        title = m3u_title.format(d=f"{d:%d.%m.%Y}")
        html = (f"<p>{esc(m3u_text)}</p><p><a class=\"download\" href=\"{fname}\">"
                f"{esc(t['download'])} M3U</a></p><pre class=\"m3u\">"
                f"{esc(chr(10).join(body.splitlines()[:7]))}\n...</pre>")
        posts.append((f"/free-iptv-m3u-{stamp}/", title, "m3u", html))
        if day < 3:
            rows = []
            for psite, phost, pport in panels:
                for ln in panel_lines(ctx.seed, psite)[3:5]:
                    rows.append(f"<tr><td>http://{phost}:{pport}</td><td>{ln.username}</td><td>"
                                f"{ln.password}</td><td><a href=\"{esc(_m3u_url(phost, pport, ln))}"
                                f"\">M3U</a></td></tr>")
            html = (f"<p>{esc(xc_text)}</p><table class=\"xtream\"><tr><th>Host</th><th>Username"
                    f"</th><th>{esc(t['password'])}</th><th>Playlist</th></tr>{''.join(rows)}"
                    "</table>")
            posts.append((f"/xtream-codes-{stamp}/", xc_title.format(d=f"{d:%d.%m.%Y}"),
                          "xtream", html))

    def chrome(title: str, inner: str, path: str) -> str:
        menu = ('<ul class="menu"><li><a href="/">Home</a></li><li><a href="/category/m3u/">M3U'
                '</a></li><li><a href="/category/xtream/">Xtream Codes</a></li></ul>')
        return doc(ctx.lang, title, f'<header><a href="/" class="site-title">{esc(ctx.op.brand)}'
                   f"</a>{menu}</header><main>{inner}</main>" + pirate.footer(ctx),
                   head=head, canonical=ctx.canonical(path), generator="WordPress 6.4.2",
                   description=m3u_title.format(d=""))

    def teaser(p: tuple[str, str, str, str]) -> str:
        return (f'<article class="post"><h2 class="entry-title"><a href="{p[0]}">{esc(p[1])}'
                "</a></h2></article>")

    per = 4
    pages = -(-len(posts) // per)
    for n in range(1, pages + 1):
        path = "/" if n == 1 else f"/page/{n}/"
        ctx.page(path, chrome(f"{ctx.op.brand} - Free IPTV", "".join(
            teaser(p) for p in posts[(n - 1) * per:n * per]) + pager(
            "/", n, pages, "/page/{n}/", (t["prev"], t["next"])), path))
    for cat in ("m3u", "xtream"):
        path = f"/category/{cat}/"
        ctx.page(path, chrome(cat, "".join(teaser(p) for p in posts if p[2] == cat), path))
    for path, title, _, html in posts:
        ctx.page(path, chrome(title, f'<article><h1 class="entry-title">{esc(title)}</h1>'
                                     f'<div class="entry-content">{html}</div></article>', path))
    pirate.dmca_and_contact(ctx)
    ctx.common(disallow=("/wp-admin/",))


def build_panel(ctx: SiteContext) -> None:
    """An Xtream panel: API on host:port, web admin login on the apex domain."""
    host, port = PANELS[ctx.op.site]
    panel = Panel(ctx.seed, ctx.op.site, host, port, ctx.catalog)
    ctx.route(panel.route, host=host, port=port)
    ctx.add("/", Resource("text/html; charset=utf-8", b"", status=403), host=host, port=port)
    login = doc("en", "Xtream UI - Login", '<div class="login-box"><h3>Admin Panel</h3>'
                '<form method="post" action="/login.php"><input name="username" placeholder='
                '"Username"><input type="password" name="password" placeholder="Password">'
                '<button type="submit">Login</button></form><p class="small">Xtream UI R22F</p>'
                "</div>")
    ctx.page("/", login)
    ctx.page("/login.php", login)
    ctx.common(sitemap=False)
