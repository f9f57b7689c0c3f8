"""Pieces every pirate template shares: tracking and ad scripts, the domains notice, the
footer with partner links, the DMCA page, seeded swarm numbers and dates."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..html import doc, esc, pirate_ads, pirate_tracking
from ..media import NOW
from .base import SiteContext

_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
}


def head_extras(ctx: SiteContext, popunder: bool = True) -> str:
    """Analytics and ad network scripts (ids shared by all domains of the operation)."""
    return pirate_tracking(ctx.seed, ctx.op.site) + "\n" + pirate_ads(ctx.seed, ctx.op.site,
                                                                     popunder=popunder)


def when(ctx: SiteContext, *key: object, max_days: int = 400) -> datetime:
    """A seeded past date (upload / post date)."""
    r = ctx.rng("date", *key)
    return NOW - timedelta(days=r.randint(0, max_days), minutes=r.randint(0, 1439))


def fmt_date(dt: datetime, lang: str, with_time: bool = False) -> str:
    """A date the way a site in ``lang`` prints it."""
    if lang == "ko":
        s = dt.strftime("%Y.%m.%d")
    elif lang in _MONTHS:
        s = f"{dt.day} {_MONTHS[lang][dt.month - 1]} {dt.year}"
    else:
        s = dt.strftime("%b. %d, %Y").replace(" 0", " ")
    return s + (dt.strftime(" %H:%M") if with_time else "")


def swarm(ctx: SiteContext, *key: object) -> tuple[int, int]:
    """Seeders and leechers this site shows for a torrent."""
    r = ctx.rng("swarm", *key)
    seeders = int(r.paretovariate(1.1) * 40)
    return seeders, int(seeders * r.uniform(0.1, 0.9)) + r.randint(0, 30)


def domains_notice(ctx: SiteContext, cls: str = "notice") -> str:
    """"Bookmark our domains" banner, standard on sites that get blocked."""
    own = ctx.own_domains()
    links = " | ".join(f'<a href="http://{esc(d)}/"><b>{esc(d)}</b></a>' for d in own)
    return f'<div class="{esc(cls)}">{esc(ctx.t["bookmark"])} {links}</div>'


def footer(ctx: SiteContext, cls: str = "footer", extra: str = "") -> str:
    """Footer: official domains, partner sites, DMCA and disclaimer."""
    t = ctx.t
    own = "".join(f'<li><a href="http://{esc(d)}/">{esc(d)}</a></li>' for d in ctx.own_domains())
    infra = {r for r in ctx.op.links
             if ctx.directory.op(r).template in ("video_host", "xtream_panel")}
    partners = "".join(f'<li><a href="{esc(u)}" target="_blank" rel="noopener">{esc(n)}</a></li>'
                       for (n, u), r in zip(ctx.partner_links(), ctx.op.links, strict=True)
                       if r not in infra)
    year = NOW.year
    return (f'<footer class="{esc(cls)}">{extra}'
            f'<div class="col"><h4>{esc(t["our_domains"])}</h4><ul>{own}</ul></div>'
            + (f'<div class="col"><h4>{esc(t["partners"])}</h4><ul>{partners}</ul></div>'
               if partners else "")
            + f'<p class="links"><a href="/dmca">{esc(t["dmca"])}</a> · '
            f'<a href="/contact">{esc(t["contact"])}</a></p>'
            f'<p class="disclaimer">{esc(t["disclaimer"])}</p>'
            f"<p>&copy; {year} {esc(ctx.op.brand)}</p></footer>")


_DMCA = {
    "en": ("DMCA Policy", "{b} respects the intellectual property of others. {b} does not host "
           "any files on its servers; all links point to content hosted on third-party websites. "
           "To request removal of a link, email abuse@{d} with the URL. Requests are handled "
           "within 72 hours."),
    "fr": ("DMCA", "{b} n'héberge aucun fichier. Pour toute demande de retrait, écrivez à "
           "abuse@{d} en précisant l'URL concernée."),
    "es": ("DMCA", "{b} no aloja ningún archivo en sus servidores. Para solicitar la retirada de "
           "un enlace escriba a abuse@{d}."),
    "pt": ("DMCA", "O {b} não hospeda nenhum arquivo. Para remoção de links envie um e-mail para "
           "abuse@{d}."),
    "id": ("DMCA", "{b} tidak menyimpan file apa pun. Untuk penghapusan link silakan kirim email "
           "ke abuse@{d}."),
    "ko": ("저작권 안내", "{b}는 어떠한 파일도 직접 호스팅하지 않습니다. 삭제 요청은 abuse@{d} 로 "
           "보내주세요."),
}


def dmca_and_contact(ctx: SiteContext, wrap: str = "{body}") -> None:
    """Serve /dmca and /contact as bare pages in the site's language."""
    title, text = _DMCA.get(ctx.lang, _DMCA["en"])
    body = text.format(b=ctx.op.brand, d=ctx.op.primary)
    for path, h, content in (
        ("/dmca", title, f"<p>{esc(body)}</p>"),
        ("/contact", ctx.t["contact"],
         f'<p>Email: <a href="mailto:contact@{esc(ctx.op.primary)}">contact@'
         f'{esc(ctx.op.primary)}</a></p><p>Telegram: <a href="https://t.me/'
         f'{esc(ctx.op.site.replace("-", "_"))}_official">@{esc(ctx.op.site.replace("-", "_"))}'
         "_official</a></p>"),
    ):
        inner = wrap.format(body=f"<h1>{esc(h)}</h1>{content}")
        ctx.page(path, doc(ctx.lang, f"{h} - {ctx.op.brand}", inner + footer(ctx),
                           head=head_extras(ctx, popunder=False), canonical=ctx.canonical(path)))
