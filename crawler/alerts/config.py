"""The ``alerts:`` config section: where alerts go (Apprise URLs by route) and how hard to try.

Kept here rather than in ``crawler.config`` so the alert feature owns its settings; the main
``Config`` only names the section.  Route URLs carry secrets (tokens, passwords): print them
only through ``crawler.alerts.redact``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouteConfig(_Section):
    """A set of Apprise URLs and the alerts they want; an empty filter matches everything."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    urls: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    # Top-level domains without the dot ("to", "co.uk"), or countries (ISO 3166 alpha-2,
    # from the alert's "country" or else the site's country-code TLD).
    tlds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_score: float = Field(0.0, ge=0, le=1)

    @field_validator("tlds", "countries", "kinds", "events", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if isinstance(value, list | tuple):
            return tuple(str(v).strip().lower().lstrip(".") for v in value)
        return value


class AlertsConfig(_Section):
    routes: tuple[RouteConfig, ...] = ()
    # Seconds between two looks at the outbox when it is empty.
    poll_interval: float = Field(0.25, gt=0)
    # Rows one deliverer claims at a time, and how long its claim lasts without renewal.
    batch_size: int = Field(100, ge=1, le=10_000)
    lease: float = Field(60.0, ge=1)
    # Retry n waits min(backoff_max, backoff_base * 2**(n-1)) seconds, times 0.5-1.5 (jitter).
    backoff_base: float = Field(2.0, gt=0)
    backoff_max: float = Field(900.0, gt=0)
    # Seconds an Apprise target may take to connect / to answer.
    timeout: float = Field(10.0, gt=0)
    # Digests: a route that already sent digest_after messages within digest_window seconds
    # gets the rest of that window's alerts as one message when the window ends.
    digest_window: float = Field(60.0, gt=0)
    digest_after: int = Field(10, ge=1)

    @field_validator("routes")
    @classmethod
    def _unique_names(cls, routes: tuple[RouteConfig, ...]) -> tuple[RouteConfig, ...]:
        names = [r.name for r in routes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate route name(s): {', '.join(duplicates)}")
        return routes
