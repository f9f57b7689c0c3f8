"""MPEG-DASH manifests (.mpd): periods, adaptation sets (content type, codecs, languages),
representations (bandwidth, resolution), the hosts that serve segments, live or static, and
the DRM systems of ``ContentProtection``.

DRM matters to the detectors the other way round: licensed services wrap their streams in
Widevine/PlayReady/FairPlay with a licence server, pirate restreams almost never do, so a
manifest with such a system is counter-evidence (``licensed_drm``). ClearKey is not: its keys
travel in the clear and restreamers use it.

Read with a non-resolving, non-networking, recovering lxml parser (no entity expansion, no
DTD, no huge trees) under a size cap; only the manifest is read, segments never are (see
crawler.safety.media). ``probe_urls`` names a few segments a liveness probe may sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import lxml.etree as etree

from crawler.extract import ParseError
from crawler.extract.html import host

MAX_MANIFEST_BYTES = 4_000_000
MAX_ADAPTATION_SETS = 200
MAX_REPRESENTATIONS = 1_000
MAX_PROBE_URLS = 4

#: ContentProtection schemeIdUri (urn:uuid:...) -> DRM system (dashif.org/identifiers).
DRM_SYSTEMS = {
    "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed": "widevine",
    "9a04f079-9840-4286-ab92-e65be0885f95": "playready",
    "94ce86fb-07ff-4f43-adb8-93d2fa968ca2": "fairplay",
    "e2719d58-a985-b3c9-781a-b030af78d30e": "clearkey",
    "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b": "clearkey",
    "5e629af5-38da-4063-8977-97ffbd9902d4": "marlin",
    "f239e769-efa3-4850-9c16-a903c6932efb": "primetime",
}
#: Systems that need a licence server: what licensed services use, restreamers rarely.
LICENSED_DRM = frozenset({"widevine", "playready", "fairplay", "marlin", "primetime"})
_CENC = "urn:mpeg:dash:mp4protection:2011"
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
                       r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_TEMPLATE = re.compile(r"\$(RepresentationID|Number|Bandwidth|Time|SubNumber)(%0\d{1,2}d)?\$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, recover=True, remove_comments=True, remove_pis=True)


@dataclass(frozen=True)
class Representation:
    """One rendition: ``resolution`` is '1920x1080' or ''."""

    id: str
    bandwidth: int | None
    resolution: str
    codecs: str


@dataclass(frozen=True)
class AdaptationSet:
    """A group of interchangeable renditions (video, audio, text) of one period."""

    content_type: str  # video, audio, text, image or ''
    mime_type: str
    codecs: tuple[str, ...]
    lang: str
    representations: tuple[Representation, ...]
    drm_systems: tuple[str, ...]


@dataclass(frozen=True)
class DashManifest:
    """A parsed MPD."""

    live: bool  # type="dynamic"
    duration: float | None  # mediaPresentationDuration in seconds
    period_count: int
    adaptation_sets: tuple[AdaptationSet, ...]
    languages: tuple[str, ...]
    max_resolution: str  # the largest video rendition, '' if none says
    segment_hosts: tuple[str, ...]  # hosts of BaseURLs and segment templates, in order
    drm_systems: tuple[str, ...]  # widevine, playready, fairplay, clearkey, cenc...
    licensed_drm: bool  # a system with a licence server: counter-evidence of piracy
    probe_urls: tuple[str, ...]  # init or first segments a liveness probe may sample


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c) == name]


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def parse_duration(value: str | None) -> float | None:
    """ISO 8601 duration ('PT1H58M', 'P0DT3M30.5S') in seconds, None if unreadable."""
    match = _DURATION.match((value or "").strip())
    if match is None or not any(match.groups()):
        return None
    y, mo, d, h, mi, s = (float(g) if g else 0.0 for g in match.groups())
    return ((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s


def _drm(element: Any) -> list[str]:
    systems = []
    for cp in _children(element, "ContentProtection"):
        scheme = (cp.get("schemeIdUri") or "").strip().lower()
        if scheme == _CENC:
            systems.append("cenc")
        elif scheme.startswith("urn:uuid:"):
            systems.append(DRM_SYSTEMS.get(scheme[9:], "other"))
    return systems


def _join(base: str, ref: str) -> str | None:
    """``ref`` resolved against ``base``; None for what urljoin refuses ('http://[::1')."""
    try:
        return urljoin(base, ref.strip()[:2000])
    except ValueError:
        return None


def _base(element: Any, parent: str) -> tuple[str, list[str]]:
    """The element's effective base URL and every BaseURL it lists (CDN alternatives)."""
    urls = [u for b in _children(element, "BaseURL") if (b.text or "").strip()
            and (u := _join(parent, b.text or ""))]  # fmt: skip
    return (urls[0] if urls else parent), urls


def _fill(template: str, rep_id: str, bandwidth: int | None, number: int) -> str:
    def sub(match: re.Match[str]) -> str:
        value: object = {"RepresentationID": rep_id, "Bandwidth": bandwidth or 0,
                         "Number": number, "Time": 0, "SubNumber": 1}[match.group(1)]
        fmt = match.group(2)
        return (fmt % value) if fmt and isinstance(value, int) else str(value)

    return _TEMPLATE.sub(sub, template).replace("$$", "$")


def parse_dash(body: bytes | str, url: str) -> DashManifest:
    """Parse an MPD served at ``url``; ParseError if it is not XML or not an MPD."""
    data = body.encode("utf-8", "replace") if isinstance(body, str) else body
    if len(data) > MAX_MANIFEST_BYTES:
        raise ParseError("DASH manifest too large")
    try:
        root = etree.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"dash: {str(exc)[:100]}") from None
    if root is None or _local(root) != "MPD":
        raise ParseError("not a DASH manifest (no <MPD> root)")
    mpd_base, hosts_urls = _base(root, url)
    hosts: dict[str, None] = dict.fromkeys(host(u) for u in hosts_urls)
    sets: list[AdaptationSet] = []
    drm: dict[str, None] = dict.fromkeys(_drm(root))
    probes: dict[str, None] = {}
    reps_seen = 0
    periods = _children(root, "Period")
    for period in periods:
        period_base, urls = _base(period, mpd_base)
        hosts.update(dict.fromkeys(host(u) for u in urls))
        for aset in _children(period, "AdaptationSet"):
            if len(sets) >= MAX_ADAPTATION_SETS:
                break
            set_base, urls = _base(aset, period_base)
            hosts.update(dict.fromkeys(host(u) for u in urls))
            set_template = next(iter(_children(aset, "SegmentTemplate")), None)
            set_drm = _drm(aset)
            reps: list[Representation] = []
            codecs: dict[str, None] = {}
            if aset.get("codecs"):
                codecs[aset.get("codecs", "")] = None
            mime = aset.get("mimeType") or ""
            samples: list[tuple[int, str]] = []  # (bandwidth, media or init segment)
            for rep in _children(aset, "Representation"):
                if reps_seen >= MAX_REPRESENTATIONS:
                    break
                reps_seen += 1
                set_drm.extend(_drm(rep))
                rep_base, urls = _base(rep, set_base)
                hosts.update(dict.fromkeys(host(u) for u in urls))
                width, height = _int(rep.get("width")), _int(rep.get("height"))
                rep_codecs = rep.get("codecs") or aset.get("codecs") or ""
                if rep_codecs:
                    codecs[rep_codecs] = None
                mime = mime or rep.get("mimeType") or ""
                reps.append(Representation(
                    id=(rep.get("id") or "")[:200], bandwidth=_int(rep.get("bandwidth")),
                    resolution=f"{width}x{height}" if width and height else "",
                    codecs=rep_codecs[:200]))  # fmt: skip
                template = next(iter(_children(rep, "SegmentTemplate")), set_template)
                segments = _segment_urls(rep, aset, template, rep_base, reps[-1])
                hosts.update(dict.fromkeys(host(s) for s in segments))
                if segments:
                    samples.append((reps[-1].bandwidth or 0, segments[-1]))
            content = aset.get("contentType") or mime.partition("/")[0] or \
                (reps and _guess_type(reps[0].codecs)) or ""  # fmt: skip
            drm.update(dict.fromkeys(set_drm))
            if samples and len(probes) < MAX_PROBE_URLS:  # the lowest rendition of each set
                probes[min(samples)[1]] = None
            sets.append(AdaptationSet(
                content_type=str(content)[:20], mime_type=mime[:100],
                codecs=tuple(codecs), lang=(aset.get("lang") or "")[:20],
                representations=tuple(reps), drm_systems=tuple(dict.fromkeys(set_drm))))
    video = [r for s in sets if s.content_type == "video" for r in s.representations
             if r.resolution]  # fmt: skip
    biggest = max(video, key=lambda r: _pixels(r.resolution), default=None)
    systems = tuple(drm)
    return DashManifest(
        live=(root.get("type") or "static").strip() == "dynamic",
        duration=parse_duration(root.get("mediaPresentationDuration")),
        period_count=len(periods),
        adaptation_sets=tuple(sets),
        languages=tuple(dict.fromkeys(s.lang for s in sets if s.lang)),
        max_resolution=biggest.resolution if biggest else "",
        segment_hosts=tuple(h for h in hosts if h),
        drm_systems=systems,
        licensed_drm=bool(LICENSED_DRM & set(systems)),
        probe_urls=tuple(probes),
    )


def _segment_urls(rep: Any, aset: Any, template: Any, base: str,
                  parsed: Representation) -> list[str]:  # fmt: skip
    """The initialization and first media segment URLs (or the single-file BaseURL)."""
    out: list[str] = []
    if template is not None:
        start = _int(template.get("startNumber"))
        number = start if start is not None else 1
        for attr in ("initialization", "media"):
            value = (template.get(attr) or "").strip()
            if value and (url := _join(base, _fill(value, parsed.id, parsed.bandwidth,
                                                    number))):  # fmt: skip
                out.append(url)
        return out
    for seglist in (_children(rep, "SegmentList") or _children(aset, "SegmentList"))[:1]:
        for init in _children(seglist, "Initialization"):
            if init.get("sourceURL") and (url := _join(base, init.get("sourceURL", ""))):
                out.append(url)
        for seg in _children(seglist, "SegmentURL")[:1]:
            if seg.get("media") and (url := _join(base, seg.get("media", ""))):
                out.append(url)
    if not out and _children(rep, "BaseURL"):
        out.append(base)  # an on-demand single file: the representation's BaseURL
    return out


def _pixels(resolution: str) -> int:
    width, _, height = resolution.partition("x")
    return int(width) * int(height) if width.isdigit() and height.isdigit() else 0


def _guess_type(codecs: str) -> str:
    lowered = codecs.lower()
    if lowered.startswith(("avc", "hev", "hvc", "vp0", "vp9", "av01", "dvh")):
        return "video"
    if lowered.startswith(("mp4a", "ac-3", "ec-3", "opus", "flac")):
        return "audio"
    if lowered.startswith(("stpp", "wvtt")):
        return "text"
    return ""
