"""An Xtream-Codes compatible panel: player_api.php, get.php, xmltv.php, live/VOD stream
paths and a Stalker (MAG) portal stub, answering per line credentials like the real thing."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from . import images, rand
from .media import (
    HLS_TYPE,
    M3U_TYPE,
    NOW,
    TS_TYPE,
    M3UEntry,
    day_schedule,
    hls_media,
    m3u,
    movie_file,
    ts_segment,
    ts_stream,
    xmltv,
)
from .model import Catalog, Channel, Resource

JSON = "application/json"
_PREFIX = {"GB": "UK", "US": "US", "FR": "FR", "ES": "ES", "BR": "BR", "DE": "DE", "KR": "KR",
           "ID": "ID"}
_CAT_WORD = {"sports": "SPORTS", "movies": "CINEMA", "entertainment": "ENTERTAINMENT",
             "news": "NEWS", "kids": "KIDS"}
_VARIANTS = ("FHD", "HD", "4K")


@dataclass(frozen=True)
class Line:
    """One subscriber line (username/password) on a panel."""

    username: str
    password: str
    trial: bool
    max_connections: int

    @property
    def exp(self) -> int:
        """Expiry as the epoch seconds string the API returns."""
        days = 1 if self.trial else 180 + len(self.username) * 11
        return int((NOW + timedelta(days=days)).timestamp())


def panel_lines(seed: int, panel: str) -> list[Line]:
    """Lines that exist on a panel: trials handed out by shops, and paid lines that leaked."""
    out = []
    for i in range(6):
        trial = i < 3
        user = ("trial" if trial else "") + rand.alnum(seed, panel, "user", i, n=6 if trial else 8)
        out.append(Line(user, rand.alnum(seed, panel, "pass", i, n=8 if trial else 10), trial,
                        1 if trial else (2 if i % 2 else 1)))
    return out


@dataclass(frozen=True)
class Stream:
    """A live stream on the panel."""

    stream_id: int
    name: str
    channel: Channel
    category_id: str
    archive: bool


def tvg_id(ch: Channel) -> str:
    """The EPG id playlists use for a channel, e.g. ``SkySportsMainEvent.gb``."""
    name = ch.name.replace(" ", "").replace("+", "Plus")
    return f"{name}.{ch.country.lower()}"


def categories(catalog: Catalog) -> list[tuple[str, str]]:
    """(category_id, name) of live categories, e.g. ('3', 'UK | SPORTS')."""
    names = sorted({f"{_PREFIX[c.country]} | {_CAT_WORD[c.category]}" for c in catalog.channels})
    return [(str(i), n) for i, n in enumerate(names, 1)]


def streams(seed: int, panel: str, catalog: Catalog) -> list[Stream]:
    """Every live stream: each premium channel in up to three quality variants."""
    cats = {n: cid for cid, n in categories(catalog)}
    out = []
    r = rand.rng(seed, panel, "streams")
    sid = 1000 + r.randint(0, 8000)
    for ch in catalog.channels:
        prefix = _PREFIX[ch.country]
        for variant in _VARIANTS[: 1 + (ch.category == "sports") + (ch.country == "GB")]:
            sid += r.randint(1, 40)
            out.append(Stream(sid, f"{prefix}: {ch.name} {variant}", ch,
                              cats[f"{prefix} | {_CAT_WORD[ch.category]}"],
                              ch.category == "sports" and variant == "FHD"))
    return out


class Panel:
    """The API of one panel host, as a route of the sandbox."""

    def __init__(self, seed: int, panel: str, host: str, port: int, catalog: Catalog) -> None:
        self.seed, self.panel, self.host, self.port = seed, panel, host, port
        self.catalog = catalog
        self.lines = {ln.username: ln for ln in panel_lines(seed, panel)}
        self.streams = streams(seed, panel, catalog)
        self.by_id = {s.stream_id: s for s in self.streams}
        self.base = f"http://{host}:{port}"
        self.vod = [(50_000 + i * 13, w) for i, w in enumerate(catalog.works)]

    def _auth(self, q: dict[str, list[str]]) -> Line | None:
        user = (q.get("username") or [""])[0]
        line = self.lines.get(user)
        if line and (q.get("password") or [""])[0] == line.password:
            return line
        return None

    def logo_url(self, ch: Channel) -> str:
        """Where the panel serves a channel's logo."""
        return f"{self.base}/images/{ch.slug}.png"

    def route(self, path: str, q: dict[str, list[str]]) -> Resource | None:
        """Dispatch a request path to the matching panel endpoint."""
        if path == "/player_api.php":
            return self._api(q)
        if path == "/get.php":
            return self._get(q)
        if path == "/xmltv.php":
            return self._xmltv(q)
        if path in ("/c/", "/c/index.html"):
            return Resource("text/html; charset=utf-8", b"<!DOCTYPE html><html><head><title>"
                            b"stalker_portal</title><script src=\"xpcom.common.js\"></script>"
                            b"</head><body></body></html>")
        if path in ("/portal.php", "/stalker_portal/server/load.php"):
            token = rand.hexid(self.seed, self.panel, "stb", n=32).upper()
            return Resource(JSON, json.dumps({"js": {"token": token, "random": token[:8]}})
                            .encode())
        m = re.match(r"^/images/([a-z0-9-]+)\.png$", path)
        if m:
            for ch in self.catalog.channels:
                if ch.slug == m.group(1):
                    return Resource("image/png", partial(images.channel_logo, ch))
            return None
        return self._stream(path)

    def _stream(self, path: str) -> Resource | None:
        m = re.match(r"^/(?:(live|movie)/)?([^/]+)/([^/]+)/(\d+)(?:_(\d+))?(\.ts|\.m3u8|\.mkv)?$",
                     path)
        if not m:
            return None
        kind, user, pw, sid, seg, ext = m.groups()
        line = self.lines.get(user)
        if line is None or line.password != pw:
            return Resource("text/plain", b"", status=401)
        if kind == "movie":  # a film file: 1.5 MB, served in ranges when asked
            return Resource("video/x-matroska", partial(movie_file, f"{self.panel}/{sid}"),
                            headers=(("Accept-Ranges", "bytes"),))
        if int(sid) not in self.by_id:
            return Resource("text/plain", b"", status=404)
        if ext == ".m3u8" and seg is None:
            body = hls_media(6, live=True, sequence=90_210, seg_fmt=f"{sid}_{{n}}.ts")
            return Resource(HLS_TYPE, body.encode())
        key = f"{self.panel}/{sid}/{seg}"
        if seg is None and ext in (None, ".ts"):  # the live channel itself: it never ends
            return Resource(TS_TYPE, ts_segment(key), stream=partial(ts_stream, key))
        return Resource(TS_TYPE, ts_segment(key))

    def _api(self, q: dict[str, list[str]]) -> Resource:
        line = self._auth(q)
        if line is None:
            return Resource(JSON, b'{"user_info":{"auth":0}}')
        action = (q.get("action") or [""])[0]
        data: object
        if action == "get_live_categories":
            data = [{"category_id": cid, "category_name": n, "parent_id": 0}
                    for cid, n in categories(self.catalog)]
        elif action == "get_live_streams":
            want = (q.get("category_id") or [""])[0]
            data = [{"num": i, "name": s.name, "stream_type": "live", "stream_id": s.stream_id,
                     "stream_icon": self.logo_url(s.channel), "epg_channel_id": self._tvg(s),
                     "added": str(int(NOW.timestamp()) - s.stream_id * 97),
                     "category_id": s.category_id, "custom_sid": "", "tv_archive": int(s.archive),
                     "direct_source": "", "tv_archive_duration": 7 if s.archive else 0}
                    for i, s in enumerate(self.streams, 1) if not want or s.category_id == want]
        elif action == "get_vod_categories":
            data = [{"category_id": "101", "category_name": "VOD | MOVIES", "parent_id": 0},
                    {"category_id": "102", "category_name": "VOD | NETFLIX-STYLE SERIES",
                     "parent_id": 0}]
        elif action == "get_vod_streams":
            data = [{"num": i, "name": f"{w.title} ({w.year})", "stream_type": "movie",
                     "stream_id": sid, "stream_icon": "", "rating": "7.1",
                     "added": str(int(NOW.timestamp()) - sid), "category_id": "101",
                     "container_extension": "mkv"}
                    for i, (sid, w) in enumerate(self.vod, 1) if w.kind == "movie"]
        elif action == "get_series":
            data = [{"num": i, "name": w.title, "series_id": sid, "cover": "", "plot": "",
                     "releaseDate": f"{w.year}-01-01", "category_id": "102"}
                    for i, (sid, w) in enumerate(self.vod, 1) if w.kind != "movie"]
        elif action == "get_short_epg":
            sid = int((q.get("stream_id") or ["0"])[0] or 0)
            s = self.by_id.get(sid)
            progs = day_schedule(self.seed, s.channel.id, _SHOWS)[:4] if s else []
            data = {"epg_listings": [
                {"id": str(sid * 10 + i), "epg_id": "1", "title": _b64(p.title), "lang": "en",
                 "start": p.start.strftime("%Y-%m-%d %H:%M:%S"),
                 "end": p.stop.strftime("%Y-%m-%d %H:%M:%S"), "description": _b64(p.title),
                 "channel_id": self._tvg(s) if s else "",
                 "start_timestamp": str(int(p.start.timestamp())),
                 "stop_timestamp": str(int(p.stop.timestamp()))} for i, p in enumerate(progs)]}
        else:
            data = {"user_info": {
                "username": line.username, "password": line.password, "message": "Welcome",
                "auth": 1, "status": "Active", "exp_date": str(line.exp),
                "is_trial": "1" if line.trial else "0", "active_cons": "0",
                "created_at": str(int((NOW - timedelta(days=3)).timestamp())),
                "max_connections": str(line.max_connections),
                "allowed_output_formats": ["m3u8", "ts", "rtmp"]},
                "server_info": {"url": self.host, "port": str(self.port), "https_port": "8443",
                                "server_protocol": "http", "rtmp_port": "8880",
                                "timezone": "Europe/London",
                                "timestamp_now": int(NOW.timestamp()),
                                "time_now": NOW.strftime("%Y-%m-%d %H:%M:%S"), "process": True}}
        return Resource(JSON, json.dumps(data, ensure_ascii=False).encode())

    def _tvg(self, s: Stream) -> str:
        return tvg_id(s.channel)

    def _get(self, q: dict[str, list[str]]) -> Resource:
        line = self._auth(q)
        if line is None:
            return Resource("text/plain", b"", status=401)
        kind = (q.get("type") or ["m3u"])[0]
        output = (q.get("output") or ["ts"])[0]
        cats = dict(categories(self.catalog))
        entries = []
        for s in self.streams:
            if output in ("m3u8", "hls"):
                url = f"{self.base}/live/{line.username}/{line.password}/{s.stream_id}.m3u8"
            else:
                url = f"{self.base}/{line.username}/{line.password}/{s.stream_id}"
            extra = {"catchup": "xc", "catchup-days": "7"} if s.archive else {}
            entries.append(M3UEntry(s.name, url, self._tvg(s), s.name, self.logo_url(s.channel),
                                    cats[s.category_id], extra))
        for sid, w in self.vod:
            if w.kind == "movie":
                entries.append(M3UEntry(f"{w.title} ({w.year})",
                                        f"{self.base}/movie/{line.username}/{line.password}/"
                                        f"{sid}.mkv", "", "", "", "VOD | MOVIES"))
        epg = f"{self.base}/xmltv.php?username={line.username}&password={line.password}"
        body = m3u(entries, x_tvg_url=epg, plain=kind != "m3u_plus")
        return Resource(M3U_TYPE, body.encode(), headers=(
            ("Content-Disposition", 'attachment; filename="tv_channels_'
                                    f'{line.username}_plus.m3u"'),))

    def _xmltv(self, q: dict[str, list[str]]) -> Resource:
        if self._auth(q) is None:
            return Resource("text/plain", b"", status=401)
        seen: dict[str, Stream] = {}
        for s in self.streams:
            seen.setdefault(self._tvg(s), s)
        chans = [(tvg, s.channel.name, self.logo_url(s.channel)) for tvg, s in seen.items()]
        progs = []
        for tvg, s in seen.items():
            for p in day_schedule(self.seed, s.channel.id, _SHOWS, slots=5):
                p.channel = tvg
                progs.append(p)
        body = xmltv(chans, progs, generator="Xtream Codes", source=self.base)
        return Resource("application/xml; charset=utf-8", body.encode())


_SHOWS = ["Live: Premier League", "Matchday Live", "Goals Express", "Movie Premiere",
          "Sports News", "Live: LaLiga", "Classic Match", "Weekend Highlights"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
