"""IPTV reseller shops: plans with prices and durations, advertised channel and VOD counts,
supported devices, trial offers and contact handles (WhatsApp/Telegram)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.extract.html import classes, text_of
from crawler.extract.numbers import Price, parse_price, to_float

MAX_PLANS = 100
_MONTHS = re.compile(r"(?i)(\d{1,2})\s*(?:months?|mois|meses|m[eê]s|bulan|개월)|"
                     r"(\d{1,2})\s*(?:years?|ans?|años?|anos?|tahun|년)|"
                     r"(\d{1,3})\s*(?:hours?|h|heures?|horas?|jam|시간)\b")  # fmt: skip
_COUNT = r"(\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d{1,7})\s*\+?\s*(k\b)?"
_CHANNELS = re.compile(rf"(?i){_COUNT}\s*(?:live\s+)?(?:tv\s+)?(?:channels?|cha[iî]nes|canales|"
                       r"canais|saluran|channel|채널)")  # fmt: skip
_VOD = re.compile(rf"(?i){_COUNT}\s*(?:vods?|movies?\s*(?:&|and|et|y|e)\s*series|films?|"
                  r"pel[ií]culas|filmes)")  # fmt: skip
_DEVICES = ("Firestick", "Fire TV", "MAG", "Smart TV", "Android", "iOS", "Apple TV", "Roku",
            "Enigma2", "Kodi", "Formuler", "Chromecast", "Windows", "macOS", "Nvidia Shield",
            "Samsung", "LG", "Xbox", "Dreamlink", "Zgemma", "Tivimate", "IPTV Smarters")
_DEVICE = re.compile(r"(?i)\b(" + "|".join(re.escape(d) for d in _DEVICES) + r")\b")
_CONTACT = re.compile(r"(?i)(?:https?://)?(?:wa\.me|api\.whatsapp\.com/send\?phone=|t\.me|"
                      r"telegram\.me)/\+?[\w]{3,40}")  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """A subscription offer: its name, price and length in months (hours for trials)."""

    name: str
    price: Price | None
    months: float | None


@dataclass(frozen=True)
class ShopFacts:
    """What a reseller page advertises."""

    plans: tuple[Plan, ...]
    channel_count: int | None  # the largest "N channels" claim on the page
    vod_count: int | None
    devices: tuple[str, ...]
    contacts: tuple[str, ...]  # WhatsApp / Telegram links


def _months(text: str) -> float | None:
    match = _MONTHS.search(text)
    if match is None:
        return None
    if match.group(1):
        return float(match.group(1))
    if match.group(2):
        return 12.0 * int(match.group(2))
    return round(int(match.group(3)) / (24 * 30), 3)


def _largest(pattern: re.Pattern[str], text: str) -> int | None:
    best: int | None = None
    for match in pattern.finditer(text):
        value = to_float(match.group(1))
        if value is None:
            continue
        count = int(value * (1000 if match.group(2) else 1))
        best = count if best is None else max(best, count)
    return best


def extract_shop(root: Any) -> ShopFacts:
    """Plans, counts, devices and contacts of one shop page."""
    plans: dict[tuple[str, float | None], Plan] = {}
    for element in root.iter("li", "div", "article", "section", "tr"):
        if len(plans) >= MAX_PLANS:
            break
        cls = classes(element)
        if not any(word in cls for word in ("product", "plan", "pricing-", "price-card",
                                             "price-table", "package", "tarif")):  # fmt: skip
            continue
        headings = [text_of(h, 120) for h in element.iter("h1", "h2", "h3", "h4")]
        if len(headings) != 1:
            continue  # a container of several offers, or no offer name
        heading = headings[0]
        text = text_of(element, 600)
        price_node = next((e for e in element.iter() if isinstance(e.tag, str)
                           and "price" in classes(e)), None)  # fmt: skip
        price = parse_price(text_of(price_node, 80) if price_node is not None else text)
        if price is None or not heading:
            continue
        plans.setdefault((heading, price.amount), Plan(heading, price, _months(heading or text)))
    text = text_of(root, 400_000)
    markup_links = [a.get("href") or "" for a in root.iter("a")]
    contacts = dict.fromkeys(m.group(0) for m in _CONTACT.finditer(" ".join(markup_links)))
    devices = dict.fromkeys(m.group(1) for m in _DEVICE.finditer(text))
    return ShopFacts(
        plans=tuple(plans.values()),
        channel_count=_largest(_CHANNELS, text),
        vod_count=_largest(_VOD, text),
        devices=tuple(sorted(devices, key=str.lower)),
        contacts=tuple(contacts),
    )
