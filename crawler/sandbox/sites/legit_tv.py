"""Legitimate TV and sport sites: a free-to-air channel list (legal M3U), a TV guide with
XMLTV, an ISP's TV offer, a football league, an anti-piracy association, a parked domain."""

from __future__ import annotations

from functools import partial

from .. import images
from ..html import esc
from ..media import M3U_TYPE, NOW, M3UEntry, Programme, day_schedule, m3u, xmltv
from ..model import Channel, slugify
from . import legit
from .base import SiteContext
from .videos import matches

# Public broadcasters that stream their free-to-air channels officially.
FTA: tuple[tuple[str, str, str], ...] = (
    ("France 2", "FR", "France Télévisions"), ("France 3", "FR", "France Télévisions"),
    ("Arte", "FR", "Arte GEIE"), ("TV5Monde", "FR", "TV5Monde"),
    ("La 1", "ES", "RTVE"), ("La 2", "ES", "RTVE"), ("24h", "ES", "RTVE"),
    ("RTP1", "PT", "RTP"), ("TV Cultura", "BR", "Fundação Padre Anchieta"),
    ("TV Brasil", "BR", "EBC"), ("TVRI Nasional", "ID", "TVRI"), ("KBS1", "KR", "KBS"),
    ("EBS1", "KR", "EBS"), ("DW English", "DE", "Deutsche Welle"),
    ("France 24 English", "FR", "France Médias Monde"), ("NHK World-Japan", "JP", "NHK"),
)


def _fta_channels() -> list[Channel]:
    return [Channel(f"fta{i}", n, (), owner, cc, "general") for i, (n, cc, owner) in enumerate(FTA)]


def build_fta(ctx: SiteContext) -> None:
    """A curated list of legal free-to-air streams, as M3U playlists by country."""
    chans = _fta_channels()
    guide = ctx.directory.url("programme-tele", "/xmltv/tnt.xml")
    nav = (("/", "Home"), ("/faq/", "FAQ"), ("/contribute/", "Contribute"))
    for c in chans:
        ctx.file(f"/logos/{c.slug}.png", "image/png", partial(images.channel_logo, c))

    def entries(cs: list[Channel]) -> list[M3UEntry]:
        return [M3UEntry(c.name, f"https://{slugify(c.owner)}-live.akamaized.net/hls/live/"
                                 f"{2000000 + i}/{c.slug}/master.m3u8",
                         f"{c.name.replace(' ', '')}.{c.country.lower()}", c.name,
                         f"{ctx.base}/logos/{c.slug}.png", c.country,
                         {"tvg-country": c.country}) for i, c in enumerate(cs)]

    countries = sorted({c.country for c in chans})
    ctx.file("/playlists/all.m3u", M3U_TYPE, m3u(entries(chans), x_tvg_url=guide).encode())
    rows = []
    for cc in countries:
        mine = [c for c in chans if c.country == cc]
        ctx.file(f"/playlists/{cc.lower()}.m3u", M3U_TYPE,
                 m3u(entries(mine), x_tvg_url=guide).encode())
        lst = "".join(f'<li><img src="/logos/{c.slug}.png" width="32" alt=""> {esc(c.name)} '
                      f"({esc(c.owner)})</li>" for c in mine)
        legit.page(ctx, f"/country/{cc.lower()}/", f"Free-to-air channels: {cc}",
                   f"<h1>{cc}</h1><ul>{lst}</ul><p><a href=\"/playlists/{cc.lower()}.m3u\">"
                   "M3U playlist</a></p>", nav=nav)
        rows.append(f'<tr><td><a href="/country/{cc.lower()}/">{cc}</a></td><td>{len(mine)}</td>'
                    f'<td><a href="/playlists/{cc.lower()}.m3u">{cc.lower()}.m3u</a></td></tr>')
    legit.page(ctx, "/", "OpenBroadcast List - legal free-to-air TV streams",
               "<h1>Free-to-air TV, legally</h1><p>A community list of live streams that public "
               "broadcasters publish themselves. No premium or pay-TV channels, ever.</p>"
               f'<p><a href="/playlists/all.m3u">All channels (M3U)</a></p><table>{"".join(rows)}'
               "</table>", nav=nav)
    legit.page(ctx, "/faq/", "FAQ", "<h3>Can I add Sky Sports or beIN?</h3><p>No. Only streams "
               "the broadcaster makes freely available are accepted.</p><h3>Which players work?"
               "</h3><p>VLC, OpenMediaCenter and any IPTV player that reads M3U.</p>", nav=nav)
    legit.page(ctx, "/contribute/", "Contribute", "<p>Open a pull request with the official "
               "stream URL and a link to the broadcaster's page.</p>", nav=nav)
    ctx.common()


_TV_SHOWS = ["Journal de 20h", "Météo", "Film : Le Dernier Métro de minuit", "Football : Ligue 1",
             "Magazine", "Série : Rue des Cendres", "Documentaire", "Jeu : Questions pour un "
             "champion", "Ligue des champions", "Cinéma : Iron Meridian"]


def build_guide(ctx: SiteContext) -> None:
    """A French TV guide: tonight's grid, a page per channel, XMLTV downloads."""
    premium = [c for c in ctx.catalog.channels if c.country == "FR"]
    fta = [c for c in _fta_channels() if c.country == "FR"]
    chans = fta + premium
    nav = (("/", "Ce soir"), ("/chaines/", "Chaînes"), ("/xmltv/", "XMLTV"))
    progs: list[Programme] = []
    for c in chans:
        ctx.file(f"/logos/{c.slug}.png", "image/png", partial(images.channel_logo, c))
        sched = day_schedule(ctx.seed, c.id, _TV_SHOWS, slots=8)
        progs.extend(sched)
        rows = "".join(f"<tr><td>{p.start:%H:%M}</td><td>{esc(p.title)}</td></tr>" for p in sched)
        legit.page(ctx, f"/chaine/{c.slug}/", f"Programme TV {c.name} aujourd'hui",
                   f'<h1><img src="/logos/{c.slug}.png" width="40" alt=""> {esc(c.name)}</h1>'
                   f'<table class="grille">{rows}</table>', nav=nav, links_title="Liens")
    tonight = "".join(f'<tr><td><a href="/chaine/{c.slug}/">{esc(c.name)}</a></td><td>'
                      f"{esc(day_schedule(ctx.seed, c.id, _TV_SHOWS, slots=8)[5].title)}</td></tr>"
                      for c in chans)
    legit.page(ctx, "/", "Programme TV ce soir", f"<h1>Programme TV de ce soir</h1><table>"
               f"{tonight}</table>", nav=nav, links_title="Liens")
    legit.page(ctx, "/chaines/", "Chaînes", "<ul>" + "".join(
        f'<li><a href="/chaine/{c.slug}/">{esc(c.name)}</a></li>' for c in chans) + "</ul>",
        nav=nav, links_title="Liens")
    ids = [(c.id, c.name, f"{ctx.base}/logos/{c.slug}.png") for c in chans]
    tnt_ids = {c.id for c in fta}
    ctx.file("/xmltv/tnt.xml", "application/xml; charset=utf-8", xmltv(
        [x for x in ids if x[0] in tnt_ids], [p for p in progs if p.channel in tnt_ids],
        generator="programme-tele.fr", source=ctx.base, lang="fr").encode())
    ctx.file("/xmltv/complet.xml", "application/xml; charset=utf-8", xmltv(
        ids, progs, generator="programme-tele.fr", source=ctx.base, lang="fr").encode())
    legit.page(ctx, "/xmltv/", "Guide XMLTV", "<h1>Données XMLTV</h1><p>Pour votre lecteur "
               'multimédia : <a href="/xmltv/tnt.xml">chaînes TNT</a> · <a href="/xmltv/'
               'complet.xml">toutes les chaînes (dont Canal+ et beIN SPORTS)</a>.</p>', nav=nav,
               links_title="Liens")
    ctx.common()


def build_isp(ctx: SiteContext) -> None:
    """An ISP's fibre + TV offer: plans, premium options, channel list, set-top box help."""
    nav = (("/", "Accueil"), ("/offres/", "Offres"), ("/options/", "Options TV"),
           ("/chaines/", "Chaînes"), ("/assistance/", "Assistance"))
    legit.page(ctx, "/", "FibreNet - Box Fibre + TV", "<h1>Box Fibre + TV</h1><p>Fibre jusqu'à "
               "8 Gb/s, plus de 220 chaînes incluses, décodeur TV 4K, replay et enregistrement."
               "</p><p>29,99 €/mois pendant 12 mois puis 44,99 €/mois.</p>", nav=nav)
    legit.page(ctx, "/offres/", "Offres", "<table><tr><th>Offre</th><th>Prix</th></tr><tr><td>"
               "Fibre Essentiel + TV (180 chaînes)</td><td>24,99 €/mois</td></tr><tr><td>Fibre "
               "Ultra + TV (220 chaînes)</td><td>29,99 €/mois</td></tr></table>", nav=nav)
    legit.page(ctx, "/options/", "Options TV", "<ul><li>Option beIN SPORTS : 15 €/mois</li>"
               "<li>Canal+ Série : 17,99 €/mois</li><li>Pack Ciné Séries : 9,99 €/mois</li>"
               "</ul><p>Sans engagement, activation immédiate.</p>", nav=nav)
    names = [c.name for c in ctx.catalog.channels if c.country == "FR"] + [n for n, cc, _ in FTA
                                                                            if cc == "FR"]
    legit.page(ctx, "/chaines/", "Liste des chaînes", "<ul>" + "".join(
        f"<li>{esc(n)}</li>" for n in sorted(names)) + "</ul>", nav=nav)
    legit.page(ctx, "/assistance/", "Assistance", '<ul><li><a href="/assistance/installation-'
               'decodeur/">Installer le décodeur TV</a></li><li><a href="/assistance/application'
               '-tv/">Application TV sur smartphone et Fire TV</a></li></ul>', nav=nav)
    legit.page(ctx, "/assistance/installation-decodeur/", "Installer le décodeur",
               "<ol><li>Branchez le décodeur à la box en Ethernet.</li><li>Reliez-le au "
               "téléviseur en HDMI.</li><li>Suivez l'assistant d'installation.</li></ol>", nav=nav)
    legit.page(ctx, "/assistance/application-tv/", "Application TV", "<p>Regardez vos chaînes "
               "sur smartphone, tablette, Fire TV et Android TV avec l'application FibreNet TV, "
               "incluse dans votre abonnement.</p>", nav=nav)
    ctx.common()


def build_league(ctx: SiteContext) -> None:
    """A football league's official site: fixtures, where to watch, anti-piracy page."""
    nav = (("/", "Inicio"), ("/calendario/", "Calendario"), ("/donde-ver/", "Dónde ver"),
           ("/antipirateria/", "Antipiratería"))
    games = [m for m in matches(ctx.seed) if m.league == "LaLiga"]
    rows = "".join(f"<tr><td>{m.kickoff:%d/%m %H:%M}</td><td>{esc(m.home)} - {esc(m.away)}</td>"
                   "<td>Movistar Plus+ / DAZN</td></tr>" for m in games)
    legit.page(ctx, "/", "Liga Fútbol Pro - Web oficial", "<h1>Liga Fútbol Pro</h1><p>Toda la "
               f"actualidad de la competición.</p><table>{rows}</table>", nav=nav)
    legit.page(ctx, "/calendario/", "Calendario", f"<table>{rows}</table>", nav=nav)
    legit.page(ctx, "/donde-ver/", "Dónde ver los partidos", "<h1>Dónde ver</h1><p>Los partidos "
               "se emiten en Movistar Plus+ y DAZN. Consulta con tu operador.</p>", nav=nav)
    legit.page(ctx, "/antipirateria/", "Antipiratería", "<h1>Denuncia la piratería</h1><p>Ver "
               "fútbol gratis en webs ilegales o con listas IPTV piratas es ilegal. Si conoces una "
               "web que emite partidos sin autorización, denúnciala.</p>", nav=nav)
    ctx.common()


def build_antipiracy(ctx: SiteContext) -> None:
    """An anti-piracy association: actions, the list of blocked sites (linked), legal offer."""
    nav = (("/", "Accueil"), ("/actions/", "Nos actions"), ("/sites-bloques/", "Sites bloqués"),
           ("/offre-legale/", "Offre légale"))
    refs = [r for r in ctx.link_refs() if ctx.directory.op(r).infringing]
    rows = "".join(f'<tr><td><a href="{esc(ctx.directory.url(r))}">{esc(ctx.directory.domain(r))}'
                   f"</a></td><td>{esc(ctx.directory.op(r).kind or '')}</td><td>"
                   f"{NOW.year - 1 - i % 2}</td></tr>" for i, r in enumerate(refs))
    legit.page(ctx, "/", "Alliance Anti-Piratage", "<h1>Alliance Anti-Piratage</h1><p>Nous "
               "représentons les producteurs, distributeurs et diffuseurs dans la lutte contre "
               "le piratage audiovisuel.</p>", nav=nav, links_title="Liens")
    legit.page(ctx, "/sites-bloques/", "Sites bloqués", "<h1>Sites bloqués par décision de "
               "justice</h1><table><tr><th>Domaine</th><th>Type</th><th>Année</th></tr>"
               f"{rows}</table>", nav=nav, links_title="Liens")
    actions = (("blocage-streaming", "Blocage de sites de streaming illégal",
                "Le tribunal a ordonné le blocage de sites qui proposaient de regarder "
                "gratuitement des films récents."),
               ("iptv-illegale", "IPTV illégale : plaintes contre des revendeurs",
                "Des revendeurs d'abonnements IPTV proposant « 20 000 chaînes » ont été visés."))
    legit.page(ctx, "/actions/", "Nos actions", "<ul>" + "".join(
        f'<li><a href="/actions/{s}/">{esc(t)}</a></li>' for s, t, _ in actions) + "</ul>",
        nav=nav, links_title="Liens")
    for slug, title, text in actions:
        legit.page(ctx, f"/actions/{slug}/", title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>"
                   '<p><a href="/sites-bloques/">Voir la liste des sites bloqués</a></p>',
                   nav=nav, links_title="Liens")
    legit.page(ctx, "/offre-legale/", "Offre légale", "<p>Films, séries et sport : retrouvez les "
               "services légaux sur le site de l'Arcom.</p>", nav=nav, links_title="Liens")
    ctx.common()


def build_parked(ctx: SiteContext) -> None:
    """A parked domain for sale, with a feed of 'related searches' (pirate-sounding words)."""
    searches = ("Watch Movies Free", "Free HD Movies Online", "Streaming Movies", "New Movies 2025")
    links = "".join(f'<li><a href="/?q={s.replace(" ", "+")}">{esc(s)}</a></li>' for s in searches)
    html = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>moviesfree-hd.com</title>"
            '<script src="https://www.google.com/adsense/domains/caf.js"></script></head><body>'
            '<div class="parking"><h1>moviesfree-hd.com</h1><p>This domain may be for sale. '
            '<a href="/buy">Buy this domain</a></p><h2>Related searches</h2>'
            f"<ul>{links}</ul></div></body></html>")
    ctx.page("/", html)
    ctx.page("/buy", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Buy "
             "moviesfree-hd.com</title></head><body><p>Make an offer: minimum 1,500 USD.</p>"
             "</body></html>")
    ctx.common(sitemap=False)
