"""Which routes want an alert, what the message says, and how URLs are shown without secrets.

Routing reads the alert payload written by the registry: ``domain``, ``kind``, ``score`` and,
when known, ``country``.  A payload missing a field simply fails filters on that field (a
route asking for kind "iptv" does not get alerts of unknown kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.alerts.config import RouteConfig
from crawler.domains import hostname, registered_domain

# Country-code TLDs that are not the country's ISO code.
_CCTLD_COUNTRY = {"uk": "gb"}
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class Alert:
    """What the deliverer needs of one outbox row."""

    id: int
    event: str
    site_id: int
    payload: dict[str, Any]
    targets_done: tuple[str, ...] = ()
    # The site as it is when delivered: fills in what the payload does not say.
    site: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        kind = self.payload.get("kind") or self.site.get("kind")
        return kind.lower() if isinstance(kind, str) else None

    @property
    def score(self) -> float | None:
        for source in (self.payload, self.site):
            value = source.get("score")
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    @property
    def domains(self) -> list[str]:
        """Every domain the alert names: the new one first, then the site's."""
        found: list[str] = []
        listed = self.payload.get("domains")
        for value in (
            self.payload.get("domain"),
            *(listed if isinstance(listed, list) else []),
            self.payload.get("site"),
            self.site.get("label"),
        ):
            if isinstance(value, str) and value and value not in found:
                found.append(value)
        return found


def tld_candidates(domain: str) -> set[str]:
    """The last label and the public suffix of ``domain`` (``a.b.co.uk`` -> uk, co.uk)."""
    host = hostname(domain)
    if not host:
        return set()
    found = {host.rsplit(".", 1)[-1]}
    registered = registered_domain(host)
    if "." in registered:
        found.add(registered.split(".", 1)[1])
    return found


def country_of(alert: Alert) -> str | None:
    """The alert's country: given in the payload, else its first country-code TLD."""
    given = alert.payload.get("country")
    if isinstance(given, str) and len(given.strip()) == 2:
        return given.strip().lower()
    for domain in alert.domains:
        last = hostname(domain).rsplit(".", 1)[-1]
        if len(last) == 2 and last.isalpha():
            return _CCTLD_COUNTRY.get(last, last)
    return None


def matches(route: RouteConfig, alert: Alert) -> bool:
    """Whether ``route`` wants ``alert`` (every non-empty filter must match)."""
    if route.events and alert.event.lower() not in route.events:
        return False
    if route.kinds and alert.kind not in route.kinds:
        return False
    if route.tlds and not any(tld_candidates(d) & set(route.tlds) for d in alert.domains):
        return False
    if route.countries and country_of(alert) not in route.countries:
        return False
    if route.min_score > 0:
        score = alert.score
        if score is None or score < route.min_score:
            return False
    return True


def targets(routes: tuple[RouteConfig, ...], alert: Alert) -> list[tuple[str, str]]:
    """``(target name, Apprise URL)`` pairs still owed this alert, in config order."""
    owed = []
    for route in routes:
        if not matches(route, alert):
            continue
        for index, url in enumerate(route.urls):
            name = f"{route.name}/{index}"
            if name not in alert.targets_done:
                owed.append((name, url))
    return owed


def _clip(value: Any) -> str:
    text = " ".join(str(value).split())  # no newlines smuggled into headers or lines
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


def title_of(alert: Alert) -> str:
    domains = alert.domains
    subject = domains[0] if domains else f"site {alert.site_id}"
    return _clip(f"I-SOP {alert.event}: {subject}")


def ids_line(alerts: list[Alert]) -> str:
    """The machine-readable line receivers deduplicate on (one id per alert)."""
    return "isop-alert-ids: " + " ".join(str(a.id) for a in alerts)


def render(alerts: list[Alert]) -> tuple[str, str]:
    """Title and body of one message carrying ``alerts`` (several: a digest)."""
    if len(alerts) == 1:
        alert = alerts[0]
        lines = [f"{_clip(k)}: {_clip(v)}" for k, v in sorted(alert.payload.items())]
        return title_of(alert), "\n".join([*lines, f"site id: {alert.site_id}", ids_line(alerts)])
    lines = [f"- {title_of(a)}" for a in alerts]
    return (
        f"I-SOP digest: {len(alerts)} alerts",
        "\n".join([*lines, ids_line(alerts)]),
    )


_SPLIT = re.compile(r"[/:@?&=#,;+]")


def redact_url(url: str) -> str:
    """Scheme and host of an Apprise URL, the rest masked: tokens hide in paths and queries."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparsable URL>"
    scheme = parts.scheme or "?"
    masked = "/***" if (parts.path.strip("/") or parts.query or parts.username) else ""
    return f"{scheme}://{host}{port}{masked}"


def scrub(text: str, urls: list[str]) -> str:
    """``text`` with every piece of every URL in ``urls`` that could be a secret masked."""
    secrets: set[str] = set()
    for url in urls:
        secrets.add(url)
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            host = ""
        scheme = url.split("://", 1)[0].lower()
        for piece in _SPLIT.split(url):
            if len(piece) >= 4 and piece not in host and piece.lower() != scheme:
                secrets.add(piece)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
