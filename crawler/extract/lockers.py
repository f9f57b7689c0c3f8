"""Cyberlocker links: which file host, and the file id that identifies the upload there.

The file id is what a takedown notice names; the same upload linked from several DDL sites
has the same id. Hosts are matched by name under any TLD (lockers hop TLDs too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# name (as in the host, any TLD) -> pattern on "path?query" giving the file id
_LOCKERS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "rapidgator": r"^/file/([0-9a-f]{32}|\w{6,})",
        "rg": r"^/file/([0-9a-f]{32}|\w{6,})",
        "nitroflare": r"^/view/([A-Z0-9]{10,20})",
        "nitro": r"^/view/([A-Z0-9]{10,20})",
        "1fichier": r"^/\?([a-z0-9]{10,30})",
        "uptobox": r"^/([a-z0-9]{12})\b",
        "ddownload": r"^/([a-z0-9]{12})\b",
        "turbobit": r"^/(?:download/free/)?([a-z0-9]{8,16})(?:\.html|/|$)",
        "katfile": r"^/([a-z0-9]{12})\b",
        "uploaded": r"^/file/([a-z0-9]{6,12})",
        "ul": r"^/file/([a-z0-9]{6,12})",
        "mega": r"^/(?:file|folder)/([\w-]{8})|^/#!([\w-]{8})",
        "mediafire": r"^/(?:file|download)/([a-z0-9]{10,16})",
        "filefactory": r"^/file/([a-z0-9]{10,14})",
        "uploadgig": r"^/file/download/([\w]{10,20})",
        "krakenfiles": r"^/view/([\w]{8,12})",
        "pixeldrain": r"^/(?:u|l)/([\w]{6,10})",
        "gofile": r"^/d/([\w]{4,10})",
        "hexupload": r"^/([a-z0-9]{12})\b",
        "clicknupload": r"^/([a-z0-9]{12})\b",
        "dropapk": r"^/([a-z0-9]{12})\b",
        "usersdrive": r"^/([a-z0-9]{12})\b",
        "fikper": r"^/([\w]{10,20})",
        "send": r"^/([a-z0-9]{12})\b",
        "filer": r"^/get/([\w]{10,20})",
        "dailyuploads": r"^/([a-z0-9]{12})\b",
    }.items()
}
# Link protectors / shorteners that hide the locker URL behind a redirect or a captcha.
_PROTECTORS: dict[str, re.Pattern[str]] = {
    name: re.compile(r"^/(?:[a-z]{1,8}/)?([\w-]{6,40})")
    for name in ("lienprotege", "dl-protect", "dlprotect", "filecrypt", "keeplinks", "ouo",
                 "linkvertise", "shrinkme", "adf", "zt-protect", "safelinking", "linkbucks")
}
_SHORT_SUFFIX = re.compile(r"^[a-z]{2,6}$")


@dataclass(frozen=True)
class LockerLink:
    """A download link on a file host: ``host`` is the locker's name (``rapidgator``)."""

    url: str
    host: str
    file_id: str
    protected: bool = False  # a link protector in front of the locker (host is the protector)


def parse_locker(url: str) -> LockerLink | None:
    """The locker and file id of ``url``; None if it is not a known file host's file page."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    labels = host.split(".")
    # "name.tld" or "name.co.tld": the name is the label before a short public suffix
    if len(labels) < 2 or not _SHORT_SUFFIX.match(labels[-1]):
        return None
    name = labels[-2] if len(labels) == 2 or len(labels[-2]) > 3 else labels[-3]
    pattern = _LOCKERS.get(name)
    protected = pattern is None
    if pattern is None:
        pattern = _PROTECTORS.get(name)
    if pattern is None:
        return None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.fragment:
        target += f"#{parts.fragment}"
    match = pattern.search(target)
    if match is None:
        return None
    file_id = next(g for g in match.groups() if g)
    return LockerLink(url=url.strip(), host="rapidgator" if name == "rg" else name,
                      file_id=file_id, protected=protected)  # fmt: skip
