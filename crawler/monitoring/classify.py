"""What one check of a site's front page means: up, down, parked, seized or moved.

Banners (seizure, parking) are data: ``config/monitor_banners.yaml``.  Input is hostile by
nature (a seized site may serve anything): the text is bounded, a bad rule file is a
:class:`~crawler.config.ConfigError` naming the rule, never a crash mid-crawl.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from w3lib.html import remove_comments, remove_tags, remove_tags_with_content, replace_entities

from crawler.config import ConfigError

MAX_TEXT = 200_000  # characters of visible text looked at
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
# Statuses of a live site that refuses us (login wall, bot check, rate limit): still up.
_UP_REFUSALS = frozenset({401, 403, 429})


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class Banners:
    seized: tuple[Rule, ...]
    parked: tuple[Rule, ...]
    parking_hosts: frozenset[str]


@dataclass(frozen=True)
class Verdict:
    outcome: str  # up, down, parked, seized, moved
    why: str
    moved_to: str | None = None


def load_banners(path: Path) -> Banners:
    """Read and compile the rule file; errors name the file and the rule."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read monitor banners ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'seized', 'parked', 'parking_hosts'")
    return Banners(
        seized=_rules(path, data, "seized"),
        parked=_rules(path, data, "parked"),
        parking_hosts=frozenset(str(h).lower() for h in data.get("parking_hosts") or []),
    )


def _rules(path: Path, data: dict[str, object], section: str) -> tuple[Rule, ...]:
    rules = []
    entries = data.get(section) or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: {section} must be a list of rules")
    for number, entry in enumerate(entries, 1):
        where = f"{path}: {section} rule {number}"
        if not isinstance(entry, dict) or "pattern" not in entry:
            raise ConfigError(f"{where}: needs a 'pattern'")
        try:
            pattern = re.compile(str(entry["pattern"]), re.IGNORECASE)
            weight = float(entry.get("weight", 1.0))
        except (re.error, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        name = f"{section}/{entry.get('lang', '?')}/{number}"
        rules.append(Rule(name, pattern, weight))
    return tuple(rules)


def visible_text(html: str) -> str:
    """The words a visitor reads: no scripts, styles, tags or entities; spaces collapsed."""
    html = html[: MAX_TEXT * 4]
    cleaned = remove_tags_with_content(remove_comments(html), which_ones=("script", "style"))
    return _SPACE.sub(" ", replace_entities(remove_tags(cleaned))).strip()[:MAX_TEXT]


def fingerprint(text: str) -> str:
    """SHA-256 of the text without digits: counters, dates and view counts don't change it,
    a new template, a banner or a different catalogue does."""
    normal = _SPACE.sub(" ", _DIGITS.sub("", text.lower())).strip()
    return hashlib.sha256(normal.encode("utf-8", "replace")).hexdigest()


def _matches(rules: tuple[Rule, ...], text: str) -> tuple[float, list[str]]:
    hits = [rule for rule in rules if rule.pattern.search(text)]
    return sum(rule.weight for rule in hits), [rule.name for rule in hits]


def classify(
    banners: Banners,
    *,
    domain: str,
    http_status: int | None,
    final_domain: str | None,
    text: str,
    error: str | None = None,
) -> Verdict:
    """The outcome of a check of ``domain`` that ended on ``final_domain``."""
    if http_status is None:
        return Verdict("down", f"no answer ({error or 'unknown error'})")
    seized, seized_rules = _matches(banners.seized, text)
    if seized >= 1.0:
        return Verdict("seized", f"seizure banner ({', '.join(seized_rules)})")
    parked, parked_rules = _matches(banners.parked, text)
    if final_domain in banners.parking_hosts:
        return Verdict("parked", f"redirected to the parking service {final_domain}")
    if parked >= 1.0:
        return Verdict("parked", f"parking page ({', '.join(parked_rules)})")
    if final_domain and final_domain != domain:
        return Verdict("moved", f"redirected to {final_domain}", moved_to=final_domain)
    if 200 <= http_status < 400 or http_status in _UP_REFUSALS:
        return Verdict("up", f"HTTP {http_status}")
    return Verdict("down", f"HTTP {http_status}")
