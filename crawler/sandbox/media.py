"""Streaming media documents: HLS manifests, MPEG-TS segments, M3U playlists, XMLTV guides.

They are generated well-formed (valid PAT/PMT with MPEG-2 CRC, RFC 8216 tags) so that parsers
exercised against the sandbox behave as they would against real servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from . import rand

# The sandbox's "today": fixed so that every generated date is reproducible.
NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)

HLS_TYPE = "application/vnd.apple.mpegurl"
DASH_TYPE = "application/dash+xml"
MP4_TYPE = "video/mp4"
M3U_TYPE = "audio/x-mpegurl"
TS_TYPE = "video/mp2t"

# (bandwidth, resolution, codecs, dir)
LADDER = ((800_000, "640x360", "avc1.4d401e,mp4a.40.2", "360p"),
          (1_400_000, "842x480", "avc1.4d401f,mp4a.40.2", "480p"),
          (2_800_000, "1280x720", "avc1.4d401f,mp4a.40.2", "720p"),
          (5_000_000, "1920x1080", "avc1.640028,mp4a.40.2", "1080p"))


def hls_master(rungs: int = 4, name_fmt: str = "{dir}/index.m3u8") -> str:
    """A master playlist with an adaptive bitrate ladder."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for bw, res, codecs, d in LADDER[:rungs]:
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={bw},AVERAGE-BANDWIDTH={bw * 9 // 10},'
                     f'RESOLUTION={res},CODECS="{codecs}",FRAME-RATE=25.000')
        lines.append(name_fmt.format(dir=d))
    return "\n".join(lines) + "\n"


def hls_media(segments: int, *, target: int = 6, live: bool = False, sequence: int = 0,
              seg_fmt: str = "seg-{n}.ts", key_uri: str | None = None) -> str:
    """A media playlist: VOD (with ENDLIST) or a live sliding window."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}",
             f"#EXT-X-MEDIA-SEQUENCE:{sequence}"]
    if not live:
        lines.append("#EXT-X-PLAYLIST-TYPE:VOD")
    if key_uri:
        lines.append(f'#EXT-X-KEY:METHOD=AES-128,URI="{key_uri}"')
    for n in range(sequence, sequence + segments):
        dur = target if n % 7 else target - 0.96
        lines.append(f"#EXTINF:{dur:.3f},")
        lines.append(seg_fmt.format(n=n))
    if not live:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def dash_mpd(minutes: int, *, live: bool = False, lang: str = "en") -> str:
    """An unprotected DASH manifest (two video renditions and one audio track) whose
    segments follow ``$RepresentationID$/init.mp4`` and ``$RepresentationID$/seg-$Number$.m4s``
    next to it, as restreams and self-hosted players serve them."""
    kind = ('type="dynamic" availabilityStartTime="2025-03-14T11:00:00Z" '
            'minimumUpdatePeriod="PT4S" timeShiftBufferDepth="PT1M"' if live else
            f'type="static" mediaPresentationDuration="PT{minutes // 60}H{minutes % 60}M0S"')
    template = ('<SegmentTemplate timescale="1000" duration="4000" startNumber="1" '
                'initialization="$RepresentationID$/init.mp4" '
                'media="$RepresentationID$/seg-$Number$.m4s"/>')
    reps = "".join(f'<Representation id="{d}" bandwidth="{bw}" width="{res.split("x")[0]}" '
                   f'height="{res.split("x")[1]}" codecs="{codecs.split(",")[0]}"/>'
                   for bw, res, codecs, d in LADDER[:2])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" '
            f'{kind} minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">\n'
            ' <Period id="0" start="PT0S">\n'
            f'  <AdaptationSet contentType="video" mimeType="video/mp4" segmentAlignment="true">'
            f"{template}{reps}</AdaptationSet>\n"
            f'  <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="{lang}">{template}'
            '<Representation id="audio" bandwidth="128000" codecs="mp4a.40.2"/></AdaptationSet>'
            "\n </Period>\n</MPD>\n")


def mp4_segment(key: str, init: bool) -> bytes:
    """A small fragmented-MP4 piece: an init segment (ftyp) or a media segment (styp+moof)."""
    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    if init:
        return box(b"ftyp", b"iso6\x00\x00\x00\x00iso6dash") + box(b"moov", bytes(64))
    payload = rand.rng(0, "m4s", key).randbytes(1024)
    return box(b"styp", b"msdh\x00\x00\x00\x00msdhmsix") + box(b"moof", bytes(32)) + \
        box(b"mdat", payload)


def _crc32_mpeg2(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _psi_packet(pid: int, section: bytes) -> bytes:
    crc = _crc32_mpeg2(section).to_bytes(4, "big")
    payload = b"\x00" + section + crc
    head = bytes((0x47, 0x40 | (pid >> 8), pid & 0xFF, 0x10))
    return head + payload + b"\xff" * (188 - 4 - len(payload))


def ts_segment(key: str, packets: int = 12) -> bytes:
    """A small MPEG-TS segment: PAT, PMT (H.264 on PID 0x100) then payload packets."""
    pat = bytes((0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00))
    pmt = bytes((0x02, 0xB0, 0x12, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00,
                 0x1B, 0xE1, 0x00, 0xF0, 0x00))
    out = [_psi_packet(0x0000, pat), _psi_packet(0x1000, pmt)]
    r = rand.rng(0, "ts", key)
    for i in range(packets):
        start = 0x40 if i == 0 else 0x00
        out.append(bytes((0x47, start | 0x01, 0x00, 0x10 | (i & 0x0F))) + r.randbytes(184))
    return b"".join(out)


def movie_file(key: str, size: int = 1_500_000) -> bytes:
    """A film as a panel's VOD serves it: a Matroska (EBML) header, then ``size`` bytes."""
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + rand.rng(0, "mkv", key).randbytes(size)


def ts_stream(key: str, limit: int = 256 * 1024 * 1024) -> Iterator[bytes]:
    """A live MPEG-TS stream after its first segment: 7 packets (1,316 bytes, one UDP
    datagram's worth) per chunk, up to ``limit`` bytes (minutes at the proxy's pace)."""
    packets = ts_segment(key, packets=7 * 16)[2 * 188:]
    sent = n = 0
    while sent < limit:
        start = (n % 16) * 7 * 188
        chunk = packets[start:start + 7 * 188]
        yield chunk
        sent += len(chunk)
        n += 1


@dataclass
class M3UEntry:
    """One #EXTINF entry of an IPTV playlist."""

    name: str
    url: str
    tvg_id: str = ""
    tvg_name: str = ""
    tvg_logo: str = ""
    group: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # catchup, tvg-country, tvg-chno...


def m3u(entries: list[M3UEntry], *, x_tvg_url: str | None = None, plain: bool = False) -> str:
    """An extended M3U playlist (``plain`` gives the bare ``#EXTINF:-1,Name`` form)."""
    head = "#EXTM3U"
    if x_tvg_url and not plain:
        head += f' x-tvg-url="{x_tvg_url}" url-tvg="{x_tvg_url}"'
    lines = [head]
    for e in entries:
        if plain:
            lines.append(f"#EXTINF:-1,{e.name}")
        else:
            attrs = [f'tvg-id="{e.tvg_id}"', f'tvg-name="{e.tvg_name or e.name}"']
            if e.tvg_logo:
                attrs.append(f'tvg-logo="{e.tvg_logo}"')
            attrs.extend(f'{k}="{v}"' for k, v in e.extra.items())
            attrs.append(f'group-title="{e.group}"')
            lines.append(f"#EXTINF:-1 {' '.join(attrs)},{e.name}")
        lines.append(e.url)
    return "\n".join(lines) + "\n"


@dataclass
class Programme:
    """One XMLTV programme."""

    channel: str
    start: datetime
    stop: datetime
    title: str
    desc: str = ""
    category: str = ""


def xmltv_time(t: datetime) -> str:
    """XMLTV timestamp ``YYYYmmddHHMMSS +0000``."""
    return t.strftime("%Y%m%d%H%M%S %z")


def xmltv(channels: list[tuple[str, str, str]], programmes: list[Programme], *,
          generator: str, source: str, lang: str = "en") -> str:
    """An XMLTV guide; ``channels`` are (id, display name, icon url)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE tv SYSTEM "xmltv.dtd">',
           f"<tv generator-info-name={quoteattr(generator)} source-info-url={quoteattr(source)}>"]
    for cid, name, icon in channels:
        out.append(f"  <channel id={quoteattr(cid)}>")
        out.append(f"    <display-name lang={quoteattr(lang)}>{xml_escape(name)}</display-name>")
        if icon:
            out.append(f"    <icon src={quoteattr(icon)}/>")
        out.append("  </channel>")
    for p in programmes:
        out.append(f'  <programme start="{xmltv_time(p.start)}" stop="{xmltv_time(p.stop)}" '
                   f"channel={quoteattr(p.channel)}>")
        out.append(f"    <title lang={quoteattr(lang)}>{xml_escape(p.title)}</title>")
        if p.desc:
            out.append(f"    <desc lang={quoteattr(lang)}>{xml_escape(p.desc)}</desc>")
        if p.category:
            out.append(f"    <category lang={quoteattr(lang)}>{xml_escape(p.category)}</category>")
        out.append("  </programme>")
    out.append("</tv>")
    return "\n".join(out) + "\n"


def day_schedule(seed: int, channel_id: str, titles: list[str], *, start: datetime | None = None,
                 slots: int = 8) -> list[Programme]:
    """A day of programmes for one channel, deterministic per channel."""
    r = rand.rng(seed, "schedule", channel_id)
    t = (start or NOW).replace(hour=6, minute=0, second=0)
    out = []
    for _ in range(slots):
        length = timedelta(minutes=r.choice((30, 45, 60, 90, 120)))
        out.append(Programme(channel_id, t, t + length, r.choice(titles)))
        t += length
    return out
