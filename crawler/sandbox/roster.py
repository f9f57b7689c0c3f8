"""Who is on the sandbox web: every operation, its domains, template, language and links.

An *operation* is one site as an enforcement team sees it: the same people behind an old
domain, its new domain and its mirrors.  Links between operations are declared here (not in
templates) so reachability from the seeds is easy to reason about and to test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpSpec:
    """One operation: ``domains`` are ``(registered domain, role)`` pairs, primary first."""

    site: str
    brand: str
    template: str
    lang: str
    infringing: bool
    kind: str | None
    domains: tuple[tuple[str, str], ...]
    links: tuple[str, ...] = ()  # "op" (its primary) or "op@domain" (a specific domain)
    behaviour: str = "normal"  # "normal" | "slow" | "flaky"
    dead_mode: str = "refused"  # how the proxy fails for dead domains: "refused" | "timeout"
    server: str = "nginx"

    @property
    def primary(self) -> str:
        """The domain that serves the operation's content today."""
        for domain, role in self.domains:
            if role in ("primary", "dead"):
                return domain
        raise ValueError(f"{self.site} has no primary domain")


def _op(site: str, brand: str, template: str, lang: str, kind: str | None,
        domains: str, links: str = "", **kw: str) -> OpSpec:
    """Compact constructor: ``domains`` like ``"a.to:primary b.cc:mirror"``."""
    pairs = tuple(tuple(d.split(":")) for d in domains.split())
    return OpSpec(site=site, brand=brand, template=template, lang=lang, infringing=kind is not None,
                  kind=kind, domains=pairs, links=tuple(links.split()),  # type: ignore[arg-type]
                  **kw)


CF = "cloudflare"

OPERATIONS: tuple[OpSpec, ...] = (
    # --- torrent / magnet indexes -------------------------------------------------------------
    _op("flixtorrent", "FlixTorrent", "torrent_table", "en", "index",
        "flixtorrent.to:primary flixtorrent.cc:mirror",
        "cinemagnet ddlhive watchmoviehd torrentdepot", server=CF),
    _op("cinemagnet", "CineMagnet", "torrent_grid", "en", "index",
        "cinemagnet.mx:primary cinemagnet.ru:former", "flixtorrent watchmoviehd animekuro",
        server=CF),
    _op("bajatorrentes", "BajaTorrentes", "torrent_table", "es", "index",
        "bajatorrentes.net:primary",
        "pelisgratishd futbolhd-envivo iptvplus-espana", behaviour="flaky", server=CF),
    _op("baixartorrents", "Baixar Torrents HD", "torrent_grid", "pt", "index",
        "baixartorrentshd.com.br:primary", "cinepipoca futebolaovivo iptvbrasilpremium", server=CF),
    _op("torrentjoa", "토렌트조아", "torrent_board", "ko", "index",
        "torrentjoa37.com:primary torrentjoa36.com:former", "tvmoa", server=CF),
    _op("torrentdepot", "TorrentDepot", "torrent_table", "en", "index", "torrentdepot.ru:dead",
        dead_mode="timeout"),
    # --- direct-download link sites -----------------------------------------------------------
    _op("ddlhive", "DDLHive", "ddl_blog", "en", "index", "ddlhive.net:primary",
        "flixtorrent watchmoviehd telechargement-hd", server="LiteSpeed"),
    _op("telechargement-hd", "Téléchargement HD", "ddl_portal", "fr", "index",
        "telechargement-hd.cc:primary", "voirfilms-hd abonnement-iptv-france", server=CF),
    # --- streaming portals ------------------------------------------------------------------
    _op("watchmoviehd", "WatchMovieHD", "stream_grid", "en", "streaming",
        "watchmoviehd.to:primary",
        "vidstreamz embedflix animekuro footylive flixtorrent cinehdfree",
        server=CF),
    _op("animekuro", "AnimeKuro", "stream_grid", "en", "streaming", "animekuro.tv:primary",
        "vidstreamz embedflix watchmoviehd", behaviour="slow", server=CF),
    _op("pelisgratishd", "PelisGratisHD", "stream_grid", "es", "streaming",
        "pelisgratishd.mx:primary pelisgratishd.net:former",
        "embedflix vidstreamz futbolhd-envivo bajatorrentes", server=CF),
    _op("nontonfilm21", "NontonFilm21", "stream_list", "id", "streaming",
        "nontonfilm21.co.id:primary nontonfilm21.net:mirror", "vidstreamz embedflix iptvindo",
        server=CF),
    _op("cinepipoca", "CinePipoca", "stream_list", "pt", "streaming", "cinepipoca.net:primary",
        "embedflix vidstreamz baixartorrents futebolaovivo", server=CF),
    _op("voirfilms-hd", "VoirFilms HD", "stream_list", "fr", "streaming", "voirfilms-hd.cc:primary",
        "embedflix vidstreamz telechargement-hd", server=CF),
    _op("tvmoa", "티비모아", "stream_board", "ko", "streaming", "tvmoa77.com:primary",
        "embedflix vidstreamz torrentjoa", server=CF),
    _op("cinehdfree", "CineHDFree", "stream_grid", "en", "streaming", "cinehdfree.ws:dead"),
    _op("footylive", "FootyLive HD", "sport_schedule", "en", "streaming", "footylive-hd.io:primary",
        "vidstreamz embedflix futbolhd-envivo iptvprimeplus", server=CF),
    _op("futbolhd-envivo", "Fútbol HD En Vivo", "sport_schedule", "es", "streaming",
        "futbolhd-envivo.tv:primary", "embedflix vidstreamz iptvplus-espana", server=CF),
    _op("futebolaovivo", "Futebol Ao Vivo HD", "sport_schedule", "pt", "streaming",
        "futebolaovivo-hd.net:primary", "embedflix vidstreamz iptvbrasilpremium", server=CF),
    _op("vidstreamz", "VidStreamz", "video_host", "en", "streaming", "vidstreamz.cc:primary"),
    _op("embedflix", "EmbedFlix", "video_host", "en", "streaming", "embedflix.net:primary"),
    # --- IPTV ---------------------------------------------------------------------------------
    _op("iptvprimeplus", "IPTV Prime+", "iptv_shop", "en", "iptv", "iptvprimeplus.com:primary",
        "primeplus-panel openmediacenter", server=CF),
    _op("abonnement-iptv-france", "Abonnement IPTV France", "iptv_shop", "fr", "iptv",
        "abonnement-iptv-france.com:primary", "starline-panel", server="LiteSpeed"),
    _op("iptvplus-espana", "IPTV Plus España", "iptv_shop", "es", "iptv",
        "iptvplus-espana.com:primary", "starline-panel", server=CF),
    _op("iptvbrasilpremium", "IPTV Brasil Premium", "iptv_shop", "pt", "iptv",
        "iptvbrasilpremium.com.br:primary", "primeplus-panel", server=CF),
    _op("freeiptv-m3u", "Free IPTV M3U", "iptv_lists", "en", "iptv", "freeiptv-m3u.net:primary",
        "primeplus-panel starline-panel openbroadcast iptvprimeplus", server=CF),
    _op("iptvindo", "IPTV Indo Gratis", "iptv_lists", "id", "iptv", "iptvindo-gratis.com:primary",
        "starline-panel nontonfilm21", server=CF),
    _op("primeplus-panel", "PrimePlus", "xtream_panel", "en", "iptv", "primeplus-panel.cc:primary"),
    _op("starline-panel", "StarLine", "xtream_panel", "en", "iptv", "starline-iptv.net:primary"),
    # --- legitimate look-alikes ---------------------------------------------------------------
    _op("copyrightbeat", "CopyrightBeat", "news", "en", None, "copyrightbeat.com:primary",
        "flixtorrent flixtorrent@flixtorrent.cc cinemagnet@cinemagnet.ru cinehdfree torrentdepot "
        "iptvprimeplus footylive ddlhive screenpass lumenlinux alliance", server=CF),
    _op("quotidien", "Le Quotidien Numérique", "news", "fr", None,
        "lequotidien-numerique.fr:primary",
        "telechargement-hd abonnement-iptv-france voirfilms-hd alliance fibrenet programme-tele"),
    _op("noticiastec", "NoticiasTec", "news", "es", None, "noticiastec.es:primary",
        "pelisgratishd@pelisgratishd.net bajatorrentes iptvplus-espana futbolhd-envivo ligafutbol "
        "cineteca"),
    _op("tecnoblog", "Tecnoblog Brasil", "news", "pt", None, "tecnoblog-brasil.com.br:primary",
        "baixartorrents cinepipoca iptvbrasilpremium futebolaovivo telaplex", server=CF),
    _op("beritatekno", "BeritaTekno", "news", "id", None, "beritatekno.co.id:primary",
        "nontonfilm21 iptvindo tontonplus univ-bandung"),
    _op("itilbo", "IT일보", "news", "ko", None, "itilbo.co.kr:primary",
        "torrentjoa@torrentjoa36.com tvmoa onplay dramalog"),
    _op("lumenlinux", "Lumen Linux", "linux_distro", "en", None, "lumenlinux.org:primary",
        "univ-bandung swarmly"),
    _op("univ-bandung", "Universitas Bandung Raya", "os_mirror", "id", None,
        "univ-bandung.ac.id:primary", "lumenlinux", server="Apache/2.4.58 (Ubuntu)"),
    _op("swarmly", "Swarmly", "torrent_client", "en", None, "swarmly.org:primary",
        "lumenlinux classicfilmvault"),
    _op("screenpass", "ScreenPass", "svod", "en", None, "screenpass.tv:primary",
        "reelcritic filmdatabase", server=CF),
    _op("onplay", "온플레이", "svod", "ko", None, "onplay.co.kr:primary", "dramalog"),
    _op("tontonplus", "TontonPlus", "svod", "id", None, "tontonplus.co.id:primary", "beritatekno"),
    _op("plazatv", "PlazaTV", "fast_service", "en", None, "plazatv.com:primary",
        "filmdatabase", server=CF),
    _op("reelcritic", "ReelCritic", "review_blog", "en", None, "reelcritic.net:primary",
        "filmdatabase screenpass telaplex classicfilmvault"),
    _op("dramalog", "드라마로그", "review_blog", "ko", None, "dramalog.co.kr:primary",
        "onplay itilbo"),
    _op("filmdatabase", "FilmDatabase", "film_db", "en", None, "filmdatabase.net:primary",
        "screenpass plazatv onplay tontonplus reelcritic classicfilmvault cineteca"),
    _op("classicfilmvault", "Classic Film Vault", "pd_archive", "en", None,
        "classicfilmvault.org:primary", "ccmusic filmdatabase"),
    _op("cineteca", "Cineteca Abierta", "pd_archive", "es", None, "cineteca-abierta.es:primary",
        "classicfilmvault noticiastec"),
    _op("ccmusic", "CC Music Archive", "music_archive", "en", None, "ccmusic-archive.org:primary",
        "classicfilmvault"),
    _op("openbroadcast", "OpenBroadcast List", "fta_list", "en", None,
        "openbroadcast-list.org:primary", "programme-tele openmediacenter"),
    _op("programme-tele", "Programme Télé", "tv_guide", "fr", None, "programme-tele.fr:primary",
        "openbroadcast fibrenet", behaviour="normal"),
    _op("fibrenet", "FibreNet", "isp_tv", "fr", None, "fibrenet-tv.fr:primary", "programme-tele"),
    _op("openmediacenter", "OpenMediaCenter", "media_player", "en", None,
        "openmediacenter.org:primary", "openbroadcast hometheater"),
    _op("hometheater", "HomeTheater Forum", "forum", "en", None, "hometheater-forum.com:primary",
        "iptvprimeplus openmediacenter openbroadcast freeiptv-m3u swarmly parked"),
    _op("alliance", "Alliance Anti-Piratage", "antipiracy_org", "fr", None,
        "alliance-antipiratage.org:primary",
        "telechargement-hd voirfilms-hd abonnement-iptv-france cinehdfree torrentdepot flixtorrent "
        "watchmoviehd quotidien"),
    _op("ligafutbol", "Liga Fútbol Pro", "sports_league", "es", None, "ligafutbolpro.es:primary",
        "noticiastec"),
    _op("telaplex", "Telaplex Cinemas", "cinema_chain", "pt", None, "telaplex.com.br:primary",
        "reelcritic"),
    _op("parked", "moviesfree-hd.com", "parked", "en", None, "moviesfree-hd.com:primary"),
)

# Entry points for a crawl: news, forums and databases, as an analyst would start.
SEED_SITES: tuple[str, ...] = (
    "copyrightbeat", "quotidien", "noticiastec", "tecnoblog", "beritatekno", "itilbo",
    "hometheater", "filmdatabase", "alliance", "reelcritic", "flixtorrent", "freeiptv-m3u",
)

# Xtream-Codes panels: operation -> (API host, port).  The registered domain's apex also
# serves the panel's web login on port 80.
PANELS: dict[str, tuple[str, int]] = {
    "primeplus-panel": ("line.primeplus-panel.cc", 8080),
    "starline-panel": ("tv.starline-iptv.net", 25461),
}


def operation(site: str) -> OpSpec:
    """Look an operation up by id."""
    for op in OPERATIONS:
        if op.site == site:
            return op
    raise KeyError(site)
