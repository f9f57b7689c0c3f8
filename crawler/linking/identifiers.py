"""Identifiers an operator carries from domain to domain, read from a page's raw text.

A pirate site that hops keeps its analytics and tag-manager accounts, its ad-network
publisher ID, its donation wallets, its Telegram and Discord, its contact address and its
IPTV panel: changing them costs the operator audience or money.  The page is scanned as text
(scripts, attributes and comments included, where these IDs live), never executed; a page
that is not HTML or not text at all just yields fewer identifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

from crawler.domains import registered_domain
from crawler.linking.wallets import find_wallets

MAX_SCAN = 2_000_000  # characters of a page scanned: IDs live in the head and footer
MAX_PER_KIND = 20  # more than this of one kind on one page is a list of others' IDs


@dataclass(frozen=True, order=True)
class Identifier:
    """One identifier: ``kind`` (see :data:`KINDS`) and its normalised ``value``."""

    kind: str
    value: str


_PATTERNS: dict[str, re.Pattern[str]] = {
    # Universal Analytics and GA4/Ads: UA-123456-1 anywhere; G-/AW- only in a gtag context.
    "ga_ua": re.compile(r"\b(UA-\d{4,10})-\d{1,4}\b"),
    "ga4": re.compile(r"(?:gtag/js\?id=|gtag\(\s*['\"]config['\"]\s*,\s*['\"])(G-[A-Z0-9]{6,12})"
                      r"\b"),
    "gtm": re.compile(r"\b(GTM-[A-Z0-9]{4,9})\b"),
    "adsense": re.compile(r"\b(?:ca-)?(pub-\d{16})\b"),
    "yandex_metrika": re.compile(r"(?:mc\.yandex\.ru/watch/|\bym\(\s*)(\d{6,10})"),
    # Ad networks pirate sites live on: publisher/zone IDs in their tag URLs.
    "ad_publisher": re.compile(
        r"(?://|\b)(?:[a-z0-9-]+\.)?(popads\.net|propellerads\.com|adsterra\.com|"
        r"exoclick\.com|juicyads\.com|adcash\.com|hilltopads\.net|a-ads\.com|"
        r"onclickads\.net|monetag\.com)/[^\s\"'<>]*?(?:zone|zoneid|id|siteid|pub|key)"
        r"[=/](\w{3,40})", re.IGNORECASE),
    "telegram": re.compile(r"(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/"
                           r"(?:s/)?([A-Za-z][A-Za-z0-9_]{4,31})\b"),
    "telegram_invite": re.compile(r"(?:https?://)?(?:t\.me|telegram\.me)/(?:joinchat/|\+)"
                                  r"([A-Za-z0-9_-]{10,40})"),
    "discord": re.compile(r"(?:https?://)?(?:discord\.gg|discord(?:app)?\.com/invite)/"
                          r"([A-Za-z0-9-]{2,32})\b"),
    "email": re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+"
                        r"[A-Za-z]{2,24})\b"),
}
_TELEGRAM_RESERVED = {"share", "joinchat", "addstickers", "proxy", "socks", "iv", "login",
                      "setlanguage", "addtheme", "confirmphone", "bot", "telegram"}
# Template placeholders and error-reporting DSNs look like addresses but name nobody.
_PLACEHOLDER_MAIL_DOMAINS = {"example.com", "example.org", "example.net", "domain.com",
                             "yourdomain.com", "sentry.io", "wixpress.com", "email.tld"}
_NOT_MAIL_ENDINGS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".js")
_OBFUSCATED_AT = re.compile(r"\s*(?:\[at\]|\(at\)|\{at\}| at )\s*", re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(r"\s*(?:\[dot\]|\(dot\)|\{dot\}| dot )\s*", re.IGNORECASE)
_PANEL_URL = re.compile(
    r"https?://([A-Za-z0-9.-]+(?::\d{2,5})?)/(?:player_api\.php|get\.php\?|xmltv\.php|"
    r"panel_api\.php|(?:live|movie|series)/[^/\s\"'<>]+/[^/\s\"'<>]+/\d+|c/?(?:[\"'\s<]|$)|"
    r"stalker_portal/)", re.IGNORECASE)
# Lower-case substrings without which a pattern cannot match.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "ga_ua": ("ua-",), "ga4": ("gtag",), "gtm": ("gtm-",), "adsense": ("pub-",),
    "yandex_metrika": ("mc.yandex.ru/watch/", "ym("),
    "ad_publisher": ("popads.net", "propellerads.com", "adsterra.com", "exoclick.com",
                     "juicyads.com", "adcash.com", "hilltopads.net", "a-ads.com",
                     "onclickads.net", "monetag.com"),
    "telegram": ("t.me/", "telegram.me/", "telegram.dog/"),
    "telegram_invite": ("t.me/", "telegram.me/"),
    "discord": ("discord.gg/", "/invite/"), "email": ("@",),
}
_PANEL_MARKERS = ("player_api.php", "get.php?", "xmltv.php", "panel_api.php", "/live/",
                  "/movie/", "/series/", "/c/", "/c\"", "/c'", "/c ", "/c<",
                  "stalker_portal/")
KINDS = (*_PATTERNS, "wallet_btc", "wallet_eth", "wallet_trx", "wallet_xmr", "xtream_host")


def decode(body: bytes | str) -> str:
    """Text of a body, whatever its encoding claims (undecodable bytes are replaced)."""
    if isinstance(body, str):
        return body[:MAX_SCAN]
    return body[:MAX_SCAN * 2].decode("utf-8", errors="replace")[:MAX_SCAN]


def extract_identifiers(body: bytes | str, page_url: str = "") -> list[Identifier]:
    """Every identifier in a page, sorted, without repeats.

    E-mail addresses and Telegram handles on the page's own domain or of well-known
    services are kept (an operator's ``dmca@<its domain>`` is still its own), but e-mails
    that are image file names (``logo@2x.png``) are not.
    """
    text = decode(body)
    plain = unescape(text) if "&" in text else text
    found: set[Identifier] = set()
    lower = plain.lower()
    for kind, pattern in _PATTERNS.items():
        if not any(needle in lower for needle in _NEEDLES[kind]):
            continue  # a substring test is ~100x cheaper than a regex scan that finds nothing
        count = 0
        for match in pattern.finditer(plain):
            raw = ":".join(g.lower() for g in match.groups()) if kind == "ad_publisher" \
                else match.group(1)
            value = _normalise(kind, raw)
            if value and count < MAX_PER_KIND:
                found.add(Identifier(kind, value))
                count += 1
    for mail in _deobfuscated_mails(plain):
        found.add(Identifier("email", mail))
    for kind, address in find_wallets(plain)[:MAX_PER_KIND]:
        found.add(Identifier(f"wallet_{kind}", address))
    own = registered_domain(page_url) if page_url else ""
    for host in panel_hosts(plain)[:MAX_PER_KIND]:
        if registered_domain(host) != own or not own:
            found.add(Identifier("xtream_host", host))
    return sorted(found)


def _normalise(kind: str, value: str) -> str | None:
    if kind == "telegram":
        return None if value.lower() in _TELEGRAM_RESERVED else value.lower()
    if kind == "email":
        value = value.lower().strip(".")
        if value.endswith(_NOT_MAIL_ENDINGS) or "@" not in value:
            return None
        domain = registered_domain(value.rsplit("@", 1)[1])
        return None if domain in _PLACEHOLDER_MAIL_DOMAINS else value
    if kind == "ad_publisher":
        return value.lower()
    if kind in ("discord", "telegram_invite"):
        return value
    return value.upper() if kind in ("ga_ua", "ga4", "gtm") else value


def _deobfuscated_mails(text: str) -> list[str]:
    """``contact [at] site [dot] to`` written to fool harvesters."""
    lower = text.lower()
    if not any(marker in lower for marker in ("[at]", "(at)", "{at}")):
        return []
    out = []
    for match in re.finditer(r"[A-Za-z0-9._%+-]{1,64}(?:\s*(?:\[at\]|\(at\)|\{at\})\s*)"
                             r"[A-Za-z0-9-]{1,63}(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\.)\s*"
                             r"[A-Za-z0-9-]{1,63}){1,3}", text, re.IGNORECASE):
        mail = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", match.group(0))).lower()
        if re.fullmatch(r"[a-z0-9._%+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,24}", mail):
            out.append(mail)
    return out


def panel_hosts(text: str) -> list[str]:
    """``host[:port]`` of Xtream-Codes/Stalker panels a page points at, in order."""
    out: dict[str, None] = {}
    lower = text.lower()
    if not any(marker in lower for marker in _PANEL_MARKERS):
        return []
    for match in _PANEL_URL.finditer(text):
        host = match.group(1).lower().rstrip(".")
        if urlsplit(f"http://{host}").hostname:
            out.setdefault(host)
    return list(out)
