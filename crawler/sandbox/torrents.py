"""Releases as pirates name them, real bencoded .torrent files, magnets and locker links.

A release (work x quality x group) is the same object on every site that indexes it: same
scene name, same infohash (SHA-1 of the bencoded info dict), so cross-site matching works as
it does on the real web; only the seeders, upload dates and torrent comments differ per site.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from . import rand
from .model import Work

GROUPS = ("VEXiL", "HDKRAKEN", "KOGi", "PiXELHUB", "NeMESiS", "QOQ", "SHiNiGAMi", "TERMiNAL",
          "iNDiGO", "WiNTERFELL", "GLiMMER", "ZEPHYR", "BRiCKS", "NOCTURNE")
TRACKERS = ("udp://tracker.opentrackr.org:1337/announce", "udp://open.demonii.com:1337/announce",
            "udp://tracker.torrent.eu.org:451/announce", "udp://exodus.desync.com:6969/announce",
            "udp://open.stealth.si:80/announce")

# quality, source, codec, (min GB, max GB), audio
_QUALITIES = (
    ("720p", "WEBRip", "x264", (0.8, 1.4), "AAC"),
    ("1080p", "WEBRip", "x264", (1.6, 2.8), "AAC5.1"),
    ("1080p", "BluRay", "x264", (6.5, 12.0), "DTS-HD.MA.5.1"),
    ("2160p", "WEB-DL", "x265", (12.0, 22.0), "DDP5.1.Atmos"),
)


def bencode(value: object) -> bytes:
    """Bencode ints, bytes/str, lists and dicts (keys sorted, as BEP 3 requires)."""
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list | tuple):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


@dataclass(frozen=True)
class TorrentMeta:
    """The parts of a .torrent every site keeps identical."""

    name: str
    size: int
    info: bytes  # bencoded info dict
    infohash: str  # hex SHA-1 of ``info``

    @property
    def btih_base32(self) -> str:
        """The infohash in the base32 form some magnets use."""
        return base64.b32encode(bytes.fromhex(self.infohash)).decode()

    def torrent_file(self, announce: str, comment: str, created_by: str = "uTorrent/3.6") -> bytes:
        """A complete .torrent file; comment and announce vary by site, the info never."""
        tiers = [[announce], *[[t] for t in TRACKERS if t != announce]]
        head = bencode({"announce": announce, "announce-list": tiers, "comment": comment,
                        "created by": created_by,
                        "creation date": 1_700_000_000 + self.size % 10**7,
                        "encoding": "UTF-8"})
        return head[:-1] + b"4:info" + self.info + b"e"

    def magnet(self, *, base32: bool = False, trackers: int = 3) -> str:
        """A magnet URI with display name and trackers."""
        xt = self.btih_base32 if base32 else self.infohash
        tr = "".join("&tr=" + quote(t, safe="") for t in TRACKERS[:trackers])
        return f"magnet:?xt=urn:btih:{xt}&dn={quote(self.name, safe='')}{tr}"


def make_torrent(seed: int, name: str, size: int,
                 files: tuple[tuple[str, int], ...] = ()) -> TorrentMeta:
    """Build the info dict with deterministic piece hashes."""
    piece = 1 << 18
    while size / piece > 256:
        piece <<= 1
    count = -(-size // piece)
    pieces = rand.rng(seed, "pieces", name).randbytes(20 * count)
    info: dict[str, object] = {"name": name, "piece length": piece, "pieces": pieces}
    if files:
        info["files"] = [{"length": ln, "path": p.split("/")} for p, ln in files]
    else:
        info["length"] = size
    data = bencode(info)
    return TorrentMeta(name=name, size=size, info=data, infohash=hashlib.sha1(data).hexdigest())


@dataclass(frozen=True)
class Release:
    """One scene/P2P release of a work."""

    work: Work
    name: str
    quality: str
    source: str
    group: str
    episode: str | None
    meta: TorrentMeta

    @property
    def size(self) -> int:
        """Total size in bytes."""
        return self.meta.size

    @property
    def infohash(self) -> str:
        """Hex infohash."""
        return self.meta.infohash


def scene_title(text: str) -> str:
    """'The Silent Harbor' -> 'The.Silent.Harbor' (ASCII, dots)."""
    import unicodedata
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in norm).split()
    return ".".join(words)


@lru_cache(maxsize=256)
def releases(seed: int, work: Work) -> tuple[Release, ...]:
    """The releases of a work that circulate (movies: 3-4 qualities; series: episodes + pack)."""
    r = rand.rng(seed, "releases", work.id)
    title = scene_title(work.title)
    out: list[Release] = []
    if work.kind == "movie":
        for quality, source, codec, (lo, hi), audio in r.sample(_QUALITIES, r.randint(3, 4)):
            group = r.choice(GROUPS)
            extra = ".HDR" if quality == "2160p" else ""
            name = f"{title}.{work.year}.{quality}.{source}{extra}.{audio}.{codec}-{group}"
            size = int(r.uniform(lo, hi) * 1024**3)
            meta = make_torrent(seed, name + ".mkv", size)
            out.append(Release(work, name, quality, source, group, None, meta))
    else:
        group = r.choice(GROUPS)
        quality = r.choice(("720p", "1080p"))
        codec = "x265" if quality == "1080p" and r.random() < 0.4 else "h264"
        for ep in range(1, 4):
            tag = f"S01E{ep:02d}"
            name = f"{title}.{tag}.{quality}.WEB.{codec}-{group}"
            size = int(r.uniform(0.35, 1.6) * 1024**3)
            out.append(Release(work, name, quality, "WEB", group, tag,
                               make_torrent(seed, name + ".mkv", size)))
        pack = f"{title}.S01.COMPLETE.{quality}.WEB.{codec}-{group}"
        files = tuple((f"{pack}/{title}.S01E{e:02d}.{quality}.WEB.{codec}-{group}.mkv",
                       int(r.uniform(0.35, 1.6) * 1024**3)) for e in range(1, 9))
        out.append(Release(work, pack, quality, "WEB", group, "S01",
                           make_torrent(seed, pack, sum(s for _, s in files), files)))
    return tuple(out)


def human_size(size: int, lang: str = "en", binary: bool = False) -> str:
    """'2.31 GB' (or '2,31 Go' in French, '2.15 GiB' for binary-minded sites)."""
    units = ("B", "KB", "MB", "GB", "TB") if not binary else ("B", "KiB", "MiB", "GiB", "TiB")
    if lang == "fr" and not binary:
        units = ("o", "Ko", "Mo", "Go", "To")
    value = float(size)
    step = 1024.0
    i = 0
    while value >= step and i < len(units) - 1:
        value /= step
        i += 1
    text = f"{value:.2f}"
    if lang in ("fr", "es", "pt", "id"):
        text = text.replace(".", ",")
    return f"{text} {units[i]}"


def locker_links(seed: int, release_name: str, size: int) -> list[tuple[str, list[str]]]:
    """Cyberlocker download links (split in parts when big), grouped by host."""
    parts = max(1, -(-size // (4 * 1024**3)))
    out: list[tuple[str, list[str]]] = []
    for host in ("rapidgator", "nitroflare", "1fichier", "uptobox", "ddownload"):
        urls = []
        for p in range(1, parts + 1):
            fname = f"{release_name}.part{p}.rar" if parts > 1 else f"{release_name}.mkv"
            k = (release_name, host, p)
            if host == "rapidgator":
                fid = rand.hexid(seed, *k, n=32)
                urls.append(f"https://rapidgator.net/file/{fid}/{fname}.html")
            elif host == "nitroflare":
                urls.append(f"https://nitroflare.com/view/{rand.alnum(seed, *k, n=15).upper()}/"
                            f"{fname}")
            elif host == "1fichier":
                urls.append(f"https://1fichier.com/?{rand.alnum(seed, *k, n=20)}")
            elif host == "uptobox":
                urls.append(f"https://uptobox.com/{rand.alnum(seed, *k, n=12)}")
            else:
                urls.append(f"https://ddownload.com/{rand.alnum(seed, *k, n=12)}/{fname}")
        out.append((host, urls))
    return out
