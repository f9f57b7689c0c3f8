"""Sizes ("1.02 GB", "2,31 Go", "643.64 MiB"), counts ("11,138", "1.2k") and prices
("£12.99", "29,99 €") as piracy sites in six languages write them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Number with optional thousands separators and a decimal part; unit after optional space.
_NUM = r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?:[.,]\d{1,3})?|\d{1,12}(?:[.,]\d{1,3})?"
_SIZE = re.compile(rf"(?<![\w.,])({_NUM})\s?(bytes|[KMGTP]i?B|[KMGTP]o|B|o)\b", re.IGNORECASE)
_POWERS = {"b": 0, "o": 0, "bytes": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_COUNT = re.compile(r"^\s*(\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d{1,12}(?:[.,]\d{1,2})?)\s*([kKmM])?\s*$")
_CURRENCIES = {"£": "GBP", "€": "EUR", "$": "USD", "R$": "BRL", "US$": "USD", "₩": "KRW",
               "Rp": "IDR", "EUR": "EUR", "USD": "USD", "GBP": "GBP", "BRL": "BRL", "IDR": "IDR"}
_CUR = r"R\$|US\$|Rp\.?|[£€$₩]|EUR|USD|GBP|BRL|IDR"
_PRICE = re.compile(rf"({_CUR})\s?({_NUM})|({_NUM})\s?({_CUR})")


def to_float(text: str) -> float | None:
    """'1,234.56' / '1.234,56' / '2,31' / '1 024' / '150.000' as a float; None if not a number.

    The last separator is the decimal mark unless exactly three digits follow it (then it
    groups thousands: '11,138' seeders, 'Rp 150.000'); sizes and prices have 1-2 decimals.
    """
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not raw:
        return None
    cut = max(raw.rfind("."), raw.rfind(","))
    head, tail = (raw[:cut], raw[cut + 1 :]) if cut >= 0 else (raw, "")
    if cut >= 0 and len(tail) == 3:
        head, tail = raw, ""
    digits = head.replace(".", "").replace(",", "")
    try:
        return float(f"{digits}.{tail}" if tail else digits)
    except ValueError:
        return None


def parse_size(text: str) -> int | None:
    """Bytes of the first size written in ``text`` (units are powers of 1024, as sites mean)."""
    match = _SIZE.search(text)
    if match is None:
        return None
    value = to_float(match.group(1))
    if value is None:
        return None
    unit = match.group(2).lower()
    power = _POWERS.get(unit if unit == "bytes" else unit[0], 0)
    return int(value * 1024**power)


def parse_count(text: str) -> int | None:
    """'11,138' -> 11138, '1.2k' -> 1200; None unless the whole text is a count."""
    match = _COUNT.match(text)
    if match is None:
        return None
    value = to_float(match.group(1))
    if value is None:
        return None
    if match.group(2):
        value *= 1000 if match.group(2).lower() == "k" else 1_000_000
    return int(value)


@dataclass(frozen=True)
class Price:
    """An amount in a currency (ISO 4217 code)."""

    amount: float
    currency: str


def parse_price(text: str) -> Price | None:
    """The first price in ``text`` ('£12.99', '29,99 €', 'R$ 35,00')."""
    match = _PRICE.search(text)
    if match is None:
        return None
    symbol = (match.group(1) or match.group(4) or "").rstrip(".")
    amount = to_float(match.group(2) or match.group(3) or "")
    if amount is None:
        return None
    return Price(amount, _CURRENCIES.get(symbol, symbol))
