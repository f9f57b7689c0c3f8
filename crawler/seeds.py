"""Read a seeds file (one URL a line) into the shared frontier's start list.

A seed that is not an http(s) URL is reported with its line number and skipped; an
unreadable or empty file is a user error the CLI reports in one line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import redis

from crawler.keys import Keys


class SeedsError(Exception):
    """The seeds file cannot be used at all; the message names it and the cause."""


@dataclass
class Seeds:
    urls: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "FILE:LINE: reason"


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text


def read_seeds(path: str | Path) -> Seeds:
    """Parse a seeds file: blank lines and ``#`` comments are ignored."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedsError(f"{path}: cannot read seeds file ({exc.strerror or exc})") from None
    text = raw.decode("utf-8", errors="replace")
    seeds = Seeds()
    for number, line in enumerate(text.splitlines(), start=1):
        candidate = line.strip()
        if not candidate or candidate.startswith("#"):
            continue
        if _is_http_url(candidate):
            seeds.urls.append(candidate)
        else:
            seeds.skipped.append(f"{path}:{number}: not an http(s) URL: {candidate[:120]!r}")
    if not seeds.urls:
        raise SeedsError(f"{path}: no http(s) seed URL in the file")
    return seeds


def push_seeds(client: redis.Redis, keys: Keys, spider: str, urls: list[str]) -> int:
    """Append seeds to the spider's shared start list (JSON entries); returns how many."""
    entries = [json.dumps({"url": url, "meta": {"how_found": "seed"}}) for url in urls]
    if entries:
        client.rpush(keys.start_urls(spider), *entries)
    return len(entries)
