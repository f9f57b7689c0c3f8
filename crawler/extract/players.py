"""Streaming pages: embedded players and iframes with their hosts, <video>/HLS/DASH sources
(in tags and in inline player setup scripts), "server 1 / server 2" lists, player scripts,
posters and thumbnails, AceStream ids, and live-sport schedules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.extract.html import absolute, classes, host, text_of

MAX_ITEMS = 500
_MEDIA_URL = re.compile(r"""(?:https?:)?//[^\s"'<>\\]{3,2000}?\.(?:m3u8|mpd|mp4|webm)"""
                        r"""(?:\?[^\s"'<>\\]*)?"""
                        r"""|["'](/[^\s"'<>\\]{1,2000}?\.(?:m3u8|mpd))["']""")  # fmt: skip
_IMAGE_KEY = re.compile(r"""(?:image|poster|thumbnail)\s*:\s*["']([^"'\s]{1,2000})["']""")
_SERVER_LABEL = re.compile(r"(?i)\b(?:server|servidor|serveur|lecteur|player|reproductor|"
                           r"mirror|link|fuente|opção|opcion|source)\s*#?\s*\d|서버")  # fmt: skip
#: Manifest attributes of <video>/<audio>/<source> that players (Shaka, dash.js, hls.js
#: wrappers) read instead of ``src``, and the kind each names when the URL has no extension
#: (None: as the URL says; "manifest": only a URL ending in .mpd or .m3u8 counts).
_MEDIA_ATTRS = {"src": None, "data-src": None, "data-dash": "dash", "data-mpd": "dash",
                "data-dash-src": "dash", "data-hls": "hls", "data-m3u8": "hls",
                "data-hls-src": "hls", "data-manifest": "manifest"}  # fmt: skip
_SERVER_ATTRS = ("data-linkid", "data-src", "data-embed", "data-video", "data-url", "data-link",
                 "data-iframe", "data-player")  # fmt: skip
_PLAYER_SCRIPT = re.compile(r"(?i)jwplayer|video(?:\.min)?\.js|videojs|plyr|clappr|flowplayer|"
                            r"hls(?:\.min)?\.js|dash(?:\.all)?(?:\.min)?\.js|fluidplayer|"
                            r"shaka-player|artplayer|dplayer")  # fmt: skip
_POSTER_HINT = re.compile(r"(?i)poster|cover|thumb|film-poster|backdrop")
_ACESTREAM = re.compile(r"acestream://([0-9a-f]{40})")
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_VERSUS = re.compile(r"(?i)\s(?:vs\.?|v|x|contre|contra)\s")


@dataclass(frozen=True)
class Embed:
    """An iframe (or embed/object) and the host that serves it."""

    url: str
    host: str


@dataclass(frozen=True)
class MediaSource:
    """A playable source: ``kind`` is hls, dash or progressive; ``via`` is tag or script."""

    url: str
    host: str
    kind: str
    via: str


@dataclass(frozen=True)
class ServerLink:
    """One entry of a "server 1 / server 2" list: its label and the embed it switches to."""

    label: str
    url: str
    host: str


@dataclass(frozen=True)
class ScheduleEntry:
    """A live event listed on a schedule: when (as written), what, where to watch it."""

    when: str  # ISO time from data-utc/datetime, else 'HH:MM' as shown
    title: str  # 'Liverpool vs Aston Villa'
    url: str | None
    league: str


@dataclass(frozen=True)
class PlayerPage:
    """Everything player-related on one page."""

    title: str
    embeds: tuple[Embed, ...]
    sources: tuple[MediaSource, ...]
    servers: tuple[ServerLink, ...]
    player_scripts: tuple[str, ...]
    posters: tuple[str, ...]
    acestream: tuple[str, ...]
    schedule: tuple[ScheduleEntry, ...]


def media_kind(url: str) -> str:
    """hls, dash or progressive, from the URL's path."""
    path = url.lower().split("?", 1)[0]
    if path.endswith(".m3u8"):
        return "hls"
    if path.endswith(".mpd"):
        return "dash"
    return "progressive"


def _source(url: str | None, via: str, out: dict[str, MediaSource],
            kind: str | None = None) -> None:  # fmt: skip
    """Add a source; ``kind`` (from a ``data-dash``/``data-hls`` attribute) names what an
    extension-less URL is; an extension says it otherwise."""
    if url and len(out) < MAX_ITEMS and url not in out:
        found = media_kind(url)
        if kind == "manifest" and found == "progressive":
            return
        if kind in ("hls", "dash") and found == "progressive":
            found = kind
        out[url] = MediaSource(url, host(url), found, via)


def _schedule(root: Any, url: str) -> list[ScheduleEntry]:
    """Rows with a time and an event ('A vs B' or a link): tables and lists alike."""
    entries: list[ScheduleEntry] = []
    league = ""
    for row in root.iter("tr", "li"):
        if len(entries) >= MAX_ITEMS:
            break
        cells = [c for c in row if isinstance(c.tag, str)]
        if row.tag == "tr" and len(cells) == 1 and cells[0].tag == "th":
            league = text_of(cells[0], 100)
            continue
        timed = next((el for el in row.iter() if isinstance(el.tag, str) and
                      (el.get("data-utc") or el.get("datetime") or "time" in classes(el))),
                     None)  # fmt: skip
        text = text_of(row, 300)
        if timed is None and not _TIME.search(text):
            continue
        anchor = row.find(".//a")
        title = text_of(anchor, 200) if anchor is not None else ""
        if not _VERSUS.search(f" {title} "):
            match = _VERSUS.search(text)
            if match is None:
                continue
            title = _TIME.sub("", text).strip(" -|·")
        when = ""
        if timed is not None:
            when = timed.get("data-utc") or timed.get("datetime") or text_of(timed, 20)
        elif (found := _TIME.search(text)) is not None:
            when = found.group(0)
        link = absolute(url, anchor.get("href")) if anchor is not None else None
        entries.append(ScheduleEntry(when=when, title=title, url=link, league=league))
    return entries


def extract_players(root: Any, url: str) -> PlayerPage:
    """Players, sources, server lists, posters and schedule of one page."""
    embeds: dict[str, Embed] = {}
    sources: dict[str, MediaSource] = {}
    servers: dict[str, ServerLink] = {}
    scripts: dict[str, None] = {}
    posters: dict[str, None] = {}
    for element in root.iter("iframe", "frame", "embed", "object", "video", "audio", "source",
                             "script", "img", "meta", "a", "li", "button", "option"):
        tag = element.tag
        if tag in ("iframe", "frame", "embed", "object"):
            link = absolute(url, element.get("src") or element.get("data-src")
                            or element.get("data"))
            if link and len(embeds) < MAX_ITEMS:
                embeds.setdefault(link, Embed(link, host(link)))
        elif tag in ("video", "audio", "source"):
            for attr, kind in _MEDIA_ATTRS.items():
                value = element.get(attr)
                if value and not value.lstrip().lower().startswith(("blob:", "data:")):
                    _source(absolute(url, value), "tag", sources, kind)
            poster = absolute(url, element.get("poster"))
            if poster:
                posters[poster] = None
        elif tag == "script":
            src = absolute(url, element.get("src"))
            if src and _PLAYER_SCRIPT.search(src):
                scripts[src] = None
            code = element.text or ""
            if code and not src:
                code = code[:300_000].replace("\\/", "/")
                for match in _MEDIA_URL.finditer(code):
                    _source(absolute(url, match.group(1) or match.group(0)), "script", sources)
                for match in _IMAGE_KEY.finditer(code):
                    image = absolute(url, match.group(1))
                    if image:
                        posters[image] = None
        elif tag == "img":
            hint = f"{classes(element)} {element.get('alt') or ''} {element.get('src') or ''}"
            image = absolute(url, element.get("src") or element.get("data-src"))
            if image and _POSTER_HINT.search(hint):
                posters[image] = None
        elif tag == "meta":
            if (element.get("property") or element.get("name") or "").lower() in (
                    "og:image", "twitter:image"):  # fmt: skip
                image = absolute(url, element.get("content"))
                if image:
                    posters[image] = None
        else:
            target = next((element.get(a) for a in _SERVER_ATTRS if element.get(a)), None)
            label = text_of(element, 80) or str(element.get("title") or "")
            if target is None and tag == "a" and _SERVER_LABEL.search(label):
                target = element.get("href")
            link = absolute(url, target)
            if link and ((target and _SERVER_LABEL.search(label)) or
                         any(element.get(a) for a in _SERVER_ATTRS)):  # fmt: skip
                servers.setdefault(link, ServerLink(label, link, host(link)))
    ace = dict.fromkeys(_ACESTREAM.findall(text_of(root, 200_000)))
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if href.startswith("acestream://"):
            ace.update(dict.fromkeys(_ACESTREAM.findall(href)))
    h1 = root.find(".//h1")
    return PlayerPage(
        title=text_of(h1, 300) if h1 is not None else "",
        embeds=tuple(embeds.values()),
        sources=tuple(sources.values()),
        servers=tuple(servers.values()),
        player_scripts=tuple(scripts),
        posters=tuple(list(posters)[:MAX_ITEMS]),
        acestream=tuple(ace),
        schedule=tuple(_schedule(root, url)),
    )
