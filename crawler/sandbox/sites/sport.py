"""Live-sport restream sites: a day's schedule, a page per match with several stream links
(embeds from the video hosts, an AceStream id) and 24/7 premium channel pages."""

from __future__ import annotations

from .. import rand
from ..html import banner_ad, doc, esc
from . import pirate
from .base import SiteContext
from .streaming import player
from .videos import matches

_LEAGUE_ORDER = {"en": "Premier League", "es": "LaLiga", "pt": "Brasileirão", "fr": "Ligue 1"}
_VS = {"en": "vs", "es": "vs", "pt": "x"}
_TEXT = {
    "en": ("Live Football Streams Free - {b}", "Stream starts 30 minutes before kick-off. "
           "If a link is down, try another server.", "Tomorrow", "24/7 channels",
           "{c} live stream free"),
    "es": ("Fútbol en vivo gratis online - {b}", "La señal empieza 30 minutos antes del partido. "
           "Si un enlace no funciona prueba otro servidor.", "Mañana", "Canales 24/7",
           "{c} en vivo gratis"),
    "pt": ("Futebol ao vivo grátis online - {b}", "O sinal abre 30 minutos antes do jogo. "
           "Se um link cair, tente outro servidor.", "Amanhã", "Canais 24h",
           "{c} ao vivo grátis"),
}


def build(ctx: SiteContext) -> None:
    """Schedule (today, tomorrow), match pages and channel pages."""
    t = ctx.t
    lang = ctx.lang if ctx.lang in _TEXT else "en"
    title_fmt, hint, tomorrow_lbl, chans_lbl, chan_fmt = _TEXT[lang]
    vs = _VS.get(lang, "vs")
    head = pirate.head_extras(ctx)
    all_m = matches(ctx.seed)
    first = _LEAGUE_ORDER.get(ctx.lang, "Premier League")
    day0 = [m for m in all_m if m.kickoff.date() == all_m[0].kickoff.date()]
    day1 = [m for m in all_m if m not in day0]
    day0.sort(key=lambda m: (m.league != first, m.kickoff))
    today = day0[:8]
    channel_ids = ctx.rng("channels").sample([c.id for c in ctx.catalog.channels
                                              if c.category == "sports"], 4)
    channels = [ctx.catalog.channel(c) for c in sorted(channel_ids)]

    def chrome(title: str, inner: str, path: str) -> str:
        side = "".join(f'<li><a href="/channel/{c.slug}">{esc(c.name)}</a></li>' for c in channels)
        nav = (f'<nav class="navbar"><a class="brand" href="/">{esc(ctx.op.brand)}</a>'
               f'<a href="/">{esc(t["today"])}</a><a href="/tomorrow">{esc(tomorrow_lbl)}</a>'
               "</nav>")
        return doc(ctx.lang, title, nav + banner_ad(ctx.seed, ctx.op.site, "header") +
                   f'<div class="row"><div class="col-main">{inner}</div><aside class="col-side">'
                   f"<h3>{esc(chans_lbl)}</h3><ul>{side}</ul></aside></div>" + pirate.footer(ctx),
                   head=head, canonical=ctx.canonical(path),
                   description=title_fmt.format(b=ctx.op.brand))

    def rows(ms: list, link: bool) -> str:
        out = ['<table class="schedule"><tbody>']
        league = None
        for m in ms:
            if m.league != league:
                league = m.league
                out.append(f'<tr class="league"><th colspan="3">{esc(league)}</th></tr>')
            name = f"{m.home} {vs} {m.away}"
            cell = (f'<a href="/live/{m.slug}">{esc(name)}</a>' if link else esc(name))
            watch = (f'<a class="btn-live" href="/live/{m.slug}">{esc(t["live"])}</a>' if link
                     else "")
            out.append(f'<tr><td class="time" data-utc="{m.kickoff.isoformat()}">'
                       f'{m.kickoff:%H:%M}</td><td class="match">{cell}</td><td>{watch}</td></tr>')
        out.append("</tbody></table>")
        return "".join(out)

    ctx.page("/", chrome(title_fmt.format(b=ctx.op.brand), f"<h1>{esc(t['today'])}</h1>" +
                         rows(today, True) + f"<p>{esc(hint)}</p>", "/"))
    ctx.page("/tomorrow", chrome(tomorrow_lbl, f"<h1>{esc(tomorrow_lbl)}</h1>" +
                                 rows(day1[:8], False), "/tomorrow"))
    for m in today:
        name = f"{m.home} {vs} {m.away}"
        ace = rand.hexid(ctx.seed, "ace", m.slug, ctx.op.site, n=40)
        inner = (f"<h1>{esc(name)} - {esc(t['live'])}</h1><p>{esc(m.league)} · "
                 f"{m.kickoff:%d/%m %H:%M} UTC</p>"
                 + player(ctx, m.key, own_hls=False, style=0, downloads=False)
                 + f'<p class="ace">AceStream: <a href="acestream://{ace}">acestream://{ace}</a>'
                 f"</p><p>{esc(hint)}</p>")
        path = f"/live/{m.slug}"
        ctx.page(path, chrome(f"{name} {t['live']} - {ctx.op.brand}", inner, path))
    for c in channels:
        label = chan_fmt.format(c=c.name)
        path = f"/channel/{c.slug}"
        ctx.page(path, chrome(label, f"<h1>{esc(label)}</h1>" +
                              player(ctx, f"ch:{c.id}", own_hls=False, style=0,
                                     downloads=False), path))
    pirate.dmca_and_contact(ctx)
    ctx.common()

