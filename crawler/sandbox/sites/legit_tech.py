"""Legitimate technology sites: a Linux distribution (with ISO torrents and a tracker stats
page), a university mirror (Apache listings), a BitTorrent client, a media-player project
and a home-theater forum that discusses IPTV."""

from __future__ import annotations

from functools import partial

from .. import images, rand, torrents
from ..html import esc
from ..media import NOW
from ..torrents import human_size
from . import legit
from .base import SiteContext

TORRENT = "application/x-bittorrent"
_EDITIONS = (("desktop", 5_900_000_000), ("server", 2_600_000_000), ("minimal", 980_000_000))
_VERSION = "24.04"


def _iso_stub() -> bytes:
    """The first sectors of an ISO 9660 image (volume descriptor at 32 KiB)."""
    return bytes(32768) + b"\x01CD001\x01" + bytes(2041)


def _isos(seed: int) -> list[tuple[str, int, torrents.TorrentMeta]]:
    out = []
    for edition, size in _EDITIONS:
        name = f"lumenlinux-{_VERSION}-{edition}-amd64.iso"
        out.append((name, size, torrents.make_torrent(seed, name, size)))
    return out


def build_distro(ctx: SiteContext) -> None:
    """Lumen Linux: home, downloads with .torrent/magnet, tracker stats, news, mirrors."""
    mirror_dom = ctx.directory.domain("univ-bandung")
    mirror = f"http://mirror.{mirror_dom}/lumenlinux/{_VERSION}/"
    tracker_host = f"torrent.{ctx.domain}"
    announce = f"http://{tracker_host}:6969/announce"
    nav = (("/", "Home"), ("/download/", "Download"), ("/news/", "News"),
           ("/mirrors/", "Mirrors"), ("/community/", "Community"))
    rows = []
    for name, size, meta in _isos(ctx.seed):
        tpath = f"/torrents/{name}.torrent"
        ctx.file(tpath, TORRENT, partial(meta.torrent_file, announce, "Lumen Linux CD",
                                                        "mktorrent 1.1"))
        magnet = meta.magnet().split("&tr=")[0] + "&tr=" + announce.replace(":", "%3A").replace(
            "/", "%2F")
        rows.append(f"<tr><td>{esc(name)}</td><td>{esc(human_size(size))}</td><td><a href="
                    f'"{esc(mirror + name)}">HTTP</a></td><td><a href="{esc(tpath)}">Torrent</a>'
                    f'</td><td><a href="{esc(magnet)}">Magnet</a></td></tr>')
    table = ("<table class=\"downloads\"><tr><th>Image</th><th>Size</th><th>Direct</th>"
             f"<th>BitTorrent</th><th>Magnet</th></tr>{''.join(rows)}</table>")
    legit.page(ctx, "/", "Lumen Linux - fast, private, free", "<h1>Lumen Linux "
               f"{_VERSION} LTS</h1><p>A fast, private and free operating system for your "
               'desktop and servers.</p><p><a class="button" href="/download/">Download Lumen '
               f"Linux {_VERSION}</a></p>", nav=nav)
    legit.page(ctx, "/download/", f"Download Lumen Linux {_VERSION}",
               f"<h1>Download</h1>{table}<p>Verify your download with <a href=\"/SHA256SUMS\">"
               "SHA256SUMS</a>. Downloading via BitTorrent is faster and saves our bandwidth: "
               'see <a href="/download/torrents/">BitTorrent downloads</a>.</p>', nav=nav)
    legit.page(ctx, "/download/torrents/", "BitTorrent downloads",
               "<h1>BitTorrent downloads</h1><p>All Lumen Linux images are seeded on our own "
               f'tracker (<a href="http://{tracker_host}/">tracker statistics</a>). Any client '
               f"works; we recommend an open-source one.</p>{table}", nav=nav)
    sums = "".join(f"{rand.hexid(ctx.seed, 'sha', n, n=64)} *{n}\n" for n, _, _ in _isos(ctx.seed))
    ctx.file("/SHA256SUMS", "text/plain; charset=utf-8", sums.encode())
    news = (("lumen-24-04-released", f"Lumen Linux {_VERSION} LTS released",
             "Five years of security updates, a new installer and kernel 6.8."),
            ("lumen-23-10-end-of-life", "Lumen 23.10 reaches end of life",
             "Users should upgrade to the LTS release."))
    legit.page(ctx, "/news/", "News", "<h1>News</h1><ul>" + "".join(
        f'<li><a href="/news/{s}/">{esc(t)}</a></li>' for s, t, _ in news) + "</ul>", nav=nav)
    for slug, title, text in news:
        legit.page(ctx, f"/news/{slug}/", title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>"
                   '<p><a href="/download/">Download now</a> via HTTP or BitTorrent.</p>', nav=nav)
    legit.page(ctx, "/mirrors/", "Mirrors", "<h1>Mirrors</h1><ul>"
               f'<li><a href="http://mirror.{mirror_dom}/lumenlinux/">mirror.{mirror_dom}</a> '
               "(Indonesia)</li></ul>", nav=nav)
    legit.page(ctx, "/community/", "Community", "<h1>Community</h1><p>Chat, forums and "
               "recommended tools.</p>", nav=nav)
    # the tracker's own stats page: a table of torrents with seeders and leechers
    stats = "".join(f"<tr><td>{esc(n)}</td><td>{m.infohash}</td><td>"
                    f"{rand.stable_int(ctx.seed, 'seed', n, lo=80, hi=900)}</td><td>"
                    f"{rand.stable_int(ctx.seed, 'leech', n, lo=2, hi=60)}</td><td>"
                    f"{rand.stable_int(ctx.seed, 'done', n, lo=5000, hi=90000)}</td></tr>"
                    for n, _, m in _isos(ctx.seed))
    ctx.page("/", f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lumen "
             "Linux BitTorrent tracker</title></head><body><h1>Lumen Linux BitTorrent tracker</h1>"
             f"<p>Announce URL: {esc(announce)}</p><table><tr><th>Name</th><th>Info hash</th>"
             f"<th>Seeders</th><th>Leechers</th><th>Completed</th></tr>{stats}</table>"
             f'<p><a href="http://{esc(ctx.domain)}/download/torrents/">Back to downloads</a>'
             "</p></body></html>", host=tracker_host)
    ctx.common()


def _autoindex(path: str, entries: list[tuple[str, str, str]]) -> str:
    """Apache mod_autoindex listing; entries are (name, date, size)."""
    rows = ['<tr><th valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></th><td>'
            '<a href="../">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td>'
            "</tr>"] if path != "/" else []
    for name, date, size in entries:
        icon = "folder" if name.endswith("/") else "unknown"
        rows.append(f'<tr><td valign="top"><img src="/icons/{icon}.gif" alt="[   ]"></td><td>'
                    f'<a href="{esc(name)}">{esc(name)}</a></td><td align="right">{date}  </td>'
                    f'<td align="right">{size}</td></tr>')
    return ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  "
            f"<title>Index of {esc(path)}</title>\n </head>\n <body>\n<h1>Index of {esc(path)}"
            '</h1>\n  <table>\n   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]">'
            '</th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a>'
            '</th><th><a href="?C=S;O=A">Size</a></th></tr>\n' + "\n".join(rows) +
            "\n</table>\n<address>Apache/2.4.58 (Ubuntu) Server at mirror Port 80</address>\n"
            "</body></html>\n")


def build_mirror(ctx: SiteContext) -> None:
    """A university home page and its open-source mirror host with directory listings."""
    host = f"mirror.{ctx.domain}"
    day = f"{NOW:%Y-%m-%d} 04:12"
    isos = _isos(ctx.seed)
    tree: dict[str, list[tuple[str, str, str]]] = {
        "/": [("lumenlinux/", day, "-"), ("videolan/", day, "-"), ("README.txt", day, "1.2K")],
        "/lumenlinux/": [(f"{_VERSION}/", day, "-")],
        f"/lumenlinux/{_VERSION}/": [(n, day, f"{s / 1e9:.1f}G") for n, s, _ in isos]
        + [(f"{n}.torrent", day, "48K") for n, _, _ in isos] + [("SHA256SUMS", day, "312")],
        "/videolan/": [("vlc-3.0.21.tar.xz", day, "25M")],
    }
    for path, entries in tree.items():
        ctx.page(path, _autoindex(path, entries), host=host)
    announce = f"http://torrent.{ctx.directory.domain('lumenlinux')}:6969/announce"
    for name, _, meta in isos:
        ctx.file(f"/lumenlinux/{_VERSION}/{name}", "application/x-iso9660-image", _iso_stub,
                 host=host)
        ctx.file(f"/lumenlinux/{_VERSION}/{name}.torrent", TORRENT,
                 partial(meta.torrent_file, announce, "Lumen Linux CD", "mktorrent 1.1"),
                 host=host)
    ctx.file(f"/lumenlinux/{_VERSION}/SHA256SUMS", "text/plain", b"see upstream\n", host=host)
    ctx.file("/videolan/vlc-3.0.21.tar.xz", "application/x-xz", b"\xfd7zXZ\x00" + bytes(64),
             host=host)
    ctx.file("/README.txt", "text/plain; charset=utf-8", b"Mirror Universitas Bandung Raya. "
             b"Sinkronisasi setiap 6 jam. Kontak: mirror@" + ctx.domain.encode() +
             b"\n", host=host)
    ctx.file("/robots.txt", "text/plain", b"User-agent: *\nDisallow:\n", host=host)
    for icon in ("blank", "back", "folder", "unknown"):
        ctx.file(f"/icons/{icon}.gif", "image/gif", partial(images.icon_gif, icon), host=host)
    nav = (("/", "Beranda"), ("/tentang/", "Tentang"), ("/akademik/", "Akademik"),
           ("/berita/", "Berita"))
    legit.page(ctx, "/", "Universitas Bandung Raya", "<h1>Universitas Bandung Raya</h1><p>"
               "Kampus unggul, inovatif dan berdaya saing global.</p><ul><li><a href=\"/berita/"
               "\">Penerimaan mahasiswa baru 2025 dibuka</a></li><li><a href=\"http://"
               f"{host}/\">Mirror repositori open source</a></li></ul>", nav=nav,
               links_title="Tautan")
    legit.page(ctx, "/tentang/", "Tentang", "<h1>Tentang kami</h1><p>Didirikan pada tahun 1987."
               "</p>", nav=nav, links_title="Tautan")
    legit.page(ctx, "/akademik/", "Akademik", "<h1>Program studi</h1><ul><li>Teknik "
               "Informatika</li><li>Sistem Informasi</li><li>Desain Komunikasi Visual</li></ul>",
               nav=nav, links_title="Tautan")
    legit.page(ctx, "/berita/", "Berita", "<h1>Berita</h1><p>Penerimaan mahasiswa baru tahun "
               f'akademik 2025/2026 dibuka. Layanan <a href="http://{host}/">mirror</a> kini '
               "menyediakan Lumen Linux.</p>", nav=nav, links_title="Tautan")
    ctx.common(sitemap=False)


def build_client(ctx: SiteContext) -> None:
    """An open-source BitTorrent client's site: downloads, features, FAQ about legal use."""
    nav = (("/", "Home"), ("/download/", "Download"), ("/features/", "Features"),
           ("/faq/", "FAQ"), ("/news/", "Changelog"))
    shot = "/img/screenshot.png"
    ctx.file(shot, "image/png", lambda: images.logo_png("Swarmly 5.2", 0.55, 800, 450))
    legit.page(ctx, "/", "Swarmly - a free, open-source BitTorrent client",
               "<h1>Swarmly</h1><p>A free and open-source BitTorrent client: no ads, no bundled "
               f'software.</p><img src="{shot}" alt="Swarmly main window"><p><a href="/download/"'
               ">Download Swarmly 5.2</a></p>", nav=nav)
    legit.page(ctx, "/download/", "Download", "<h1>Download Swarmly 5.2.1</h1><ul>"
               '<li><a href="https://github.com/swarmly/swarmly/releases/download/v5.2.1/'
               'swarmly-5.2.1-x64-setup.exe">Windows 10/11 (64-bit)</a></li><li><a href="https://'
               'github.com/swarmly/swarmly/releases/download/v5.2.1/swarmly-5.2.1.dmg">macOS</a>'
               "</li><li>Linux: <code>flatpak install flathub org.swarmly.Swarmly</code></li></ul>",
               nav=nav)
    legit.page(ctx, "/features/", "Features", "<h1>Features</h1><ul><li>Magnet links and .torrent "
               "files</li><li>DHT, PeX, uTP, encryption</li><li>Sequential download</li><li>RSS "
               "feeds</li><li>Web UI</li></ul>", nav=nav)
    legit.page(ctx, "/faq/", "FAQ", "<h1>FAQ</h1><h3>Is BitTorrent legal?</h3><p>Yes. BitTorrent "
               "is a protocol used to distribute Linux distributions, public-domain films and "
               "open data. Downloading copyrighted films without permission is not.</p>"
               "<h3>Where can I find legal torrents?</h3><p>Linux distributions and public "
               "domain archives publish official torrents.</p>", nav=nav)
    legit.page(ctx, "/news/", "Changelog", "<h1>Changelog</h1><ul><li>5.2.1: fix magnet "
               "metadata timeout</li><li>5.2.0: new search plugin API</li></ul>", nav=nav)
    ctx.common()


def build_player(ctx: SiteContext) -> None:
    """An open-source media center project: downloads, Fire TV guide, IPTV client docs."""
    nav = (("/", "Home"), ("/download/", "Download"), ("/wiki/", "Wiki"), ("/addons/", "Add-ons"),
           ("/about/", "About"))
    legit.page(ctx, "/", "OpenMediaCenter - free and open source home theater software",
               "<h1>OpenMediaCenter</h1><p>Play your own videos, music and live TV on any "
               "screen.</p>", nav=nav)
    legit.page(ctx, "/download/", "Download", "<h1>Download OpenMediaCenter 21</h1><ul><li>Windows"
               "</li><li>macOS</li><li>Linux</li><li>Android</li><li><a href=\"/wiki/fire-tv/\">"
               "Amazon Fire TV / Firestick</a></li></ul>", nav=nav)
    legit.page(ctx, "/wiki/", "Wiki", '<h1>Wiki</h1><ul><li><a href="/wiki/fire-tv/">Install on '
               'Fire TV</a></li><li><a href="/wiki/iptv-simple-client/">IPTV Simple Client</a>'
               "</li></ul>", nav=nav)
    legit.page(ctx, "/wiki/fire-tv/", "Install on Fire TV", "<h1>Installing on a Fire TV Stick"
               "</h1><ol><li>Settings &gt; My Fire TV &gt; Developer options: enable apps from "
               "unknown sources.</li><li>Install the Downloader app and open our download page."
               "</li><li>Install the APK and launch OpenMediaCenter.</li></ol>", nav=nav)
    legit.page(ctx, "/wiki/iptv-simple-client/", "IPTV Simple Client",
               "<h1>IPTV Simple Client</h1><p>Load an M3U playlist and an XMLTV EPG to watch live "
               "TV. Use playlists you are entitled to, for example lists of free-to-air public "
               "channels. OpenMediaCenter does not provide any content.</p>", nav=nav)
    legit.page(ctx, "/addons/", "Add-ons", "<h1>Official add-ons</h1><p>Only add-ons from the "
               "official repository are supported. Piracy add-ons are banned from our forums."
               "</p>", nav=nav)
    legit.page(ctx, "/about/", "About", "<h1>About</h1><p>OpenMediaCenter is a non-profit, GPL "
               "project maintained by volunteers.</p>", nav=nav)
    ctx.common()


_THREADS = (
    (3, "Is IPTV Prime+ legit? 20k channels for 69 a year", "iptvprimeplus",
     ("Saw an ad for {link}: 20,000 channels, Sky Sports, anti-freeze, 12 months for 69. "
      "Free trial too. Too good to be true?",
      "It's not legit. No licensed service sells Sky Sports and beIN for that price. Those "
      "shops resell pirate panels.",
      "Tried the trial, it buffered during the derby anyway. Not worth the risk.")),
    (3, "Do these free M3U list sites actually work?", "freeiptv-m3u",
     ("Someone linked {link} - daily m3u playlists with premium channels. Anyone used it?",
      "Half the links are dead within a day and it's pirated content. Stick to FTA lists.")),
    (2, "OpenMediaCenter on Firestick 4K - setup tips", "openmediacenter",
     ("Followed the guide on {link}, works great with my NAS library.",
      "Enable hardware decoding and it handles 4K HDR fine.")),
    (3, "Legal free-to-air channels in one M3U?", "openbroadcast",
     ("Is there a legal list of public broadcaster streams? Found {link}.",
      "Yes, that one only lists official FTA streams from the broadcasters themselves.")),
    (2, "Best BitTorrent client for Linux ISOs", "swarmly",
     ("I seed distro ISOs 24/7. {link} or something else?",
      "Swarmly's web UI is great on a headless box.")),
    (4, "moviesfree-hd.com gone?", "parked",
     ("Saw this domain mentioned in an old thread: {link}",
      "It's a parked domain for sale now, nothing there.")),
    (1, "4K projector under 2000 - recommendations", None,
     ("Looking for a 4K laser projector for a 3 m wall.", "Check the calibration thread.")),
    (1, "Calibrating an OLED: where to start", None,
     ("Bought a colorimeter, any guide?", "Start with the ISF presets and adjust gamma.")),
)
_FORUMS = ((1, "Projectors & TVs"), (2, "Media players & Streaming"),
           (3, "IPTV & Cord cutting"), (4, "Off-topic"))


def build_forum(ctx: SiteContext) -> None:
    """A phpBB home-theater forum with threads that link to IPTV shops and legal sources."""
    users = ("cinephile42", "av_guru", "Rob_K", "hdr_nerd", "sofa_king", "projectionist")
    head = '<link rel="alternate" type="application/atom+xml" href="/feed.php">'
    nav = (("/", "Board index"), ("/search.php", "Search"), ("/faq.php", "FAQ"))
    topics = []
    for i, (forum, title, ref, posts) in enumerate(_THREADS):
        tid = 1200 + i * 37
        link = ""
        if ref:
            url = ctx.directory.url(ref)
            link = f'<a href="{esc(url)}" class="postlink">{esc(url)}</a>'
        body = "".join(
            f'<div class="post bg{k % 2 + 1}" id="p{tid * 10 + k}"><div class="postbody"><h3>'
            f'<a href="#p{tid * 10 + k}">{"Re: " if k else ""}{esc(title)}</a></h3><p class="'
            f'author">by <strong>{users[(i + k) % len(users)]}</strong></p><div class="content">'
            f"{esc(p).replace(esc('{link}'), link)}</div></div></div>" for k, p in enumerate(posts))
        legit.page(ctx, f"/viewtopic.php?t={tid}", f"{title} - HomeTheater Forum",
                   f'<h2 class="topic-title">{esc(title)}</h2>{body}', nav=nav, head=head,
                   generator="phpBB")
        topics.append((forum, tid, title, len(posts)))
    rows = []
    for fid, name in _FORUMS:
        mine = [t for t in topics if t[0] == fid]
        rows.append(f'<li class="row"><a href="/viewforum.php?f={fid}" class="forumtitle">'
                    f"{esc(name)}</a> <span>Topics: {len(mine)}</span></li>")
        listing = "".join(f'<li class="row"><a href="/viewtopic.php?t={tid}" class="topictitle">'
                          f"{esc(tt)}</a> <span>Replies: {n - 1}</span></li>"
                          for _, tid, tt, n in mine)
        legit.page(ctx, f"/viewforum.php?f={fid}", f"{name} - HomeTheater Forum",
                   f'<h2 class="forum-title">{esc(name)}</h2><ul class="topiclist">{listing}</ul>',
                   nav=nav, head=head, generator="phpBB")
    legit.page(ctx, "/", "HomeTheater Forum - Board index", '<ul class="topiclist forums">'
               + "".join(rows) + "</ul>", nav=nav, head=head, generator="phpBB")
    entries = "".join(f"<entry><title>{esc(tt)}</title><link href=\"{ctx.base}/viewtopic.php?t="
                      f"{tid}\"/><id>{ctx.base}/viewtopic.php?t={tid}</id></entry>"
                      for _, tid, tt, _ in topics)
    ctx.file("/feed.php", "application/atom+xml; charset=UTF-8",
             ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
              f"<title>{esc(ctx.op.brand)}</title><id>{ctx.base}/</id>{entries}</feed>\n").encode())
    legit.page(ctx, "/faq.php", "FAQ", "<h2>Forum rules</h2><p>No links to pirated content or "
               "sellers of illegal IPTV subscriptions.</p>", nav=nav, head=head)
    legit.page(ctx, "/search.php", "Search", '<form action="/search.php"><input name="keywords">'
               "</form>", nav=nav, head=head)
    ctx.common(disallow=("/memberlist.php", "/ucp.php", "/search.php"), sitemap=False)
