"""Sites with their domains, streamed from the registry in site order.

One query joins sites and domains ordered by site; rows are fetched in batches
(``yield_per``) and grouped as they come, so memory holds one batch and one site, whatever
the registry's size.  Analyst notes stay out: they are internal.  False positives stay out
unless asked for by status.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, null, select
from sqlalchemy.orm import Session

from crawler.registry.models import Domain, Evidence, Site
from crawler.registry.observed import ObservationSummary

DEFAULT_EXCLUDED = ("false_positive",)
SITE_FIELDS = ("site_id", "label", "kind", "status", "score", "max_score", "first_seen",
               "last_seen", "operator_cluster")  # fmt: skip
DOMAIN_FIELDS = ("domain", "role", "how_linked", "first_seen", "last_seen")
BATCH = 1000


def _iso(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class SiteRecord:
    """One site as exported, its domains in id order; what the spiders observed on them once
    :func:`crawler.exports.observed.attach` has read it (None: not read)."""

    site: dict[str, Any]
    domains: list[dict[str, Any]]
    observations: ObservationSummary | None = None
    observed_at: datetime | None = None  # the latest observation's last sighting


def _columns() -> list[Any]:
    site: list[Any] = [Site.id.label("site_id")]
    for name in SITE_FIELDS[1:]:
        column = getattr(Site, name, None)  # operator_cluster arrives with revision 0101
        site.append(column.label(name) if column is not None else null().label(name))
    domain = [getattr(Domain, name).label(f"d_{name}") for name in DOMAIN_FIELDS]
    return [*site, *domain]


def sites(engine: Engine, statuses: Iterable[str] | None = None) -> Iterator[SiteRecord]:
    """Every exported site with its domains (``statuses``: only those; default: all but
    false positives).  Plain rows, no ORM objects: nothing accumulates in a session."""
    query = select(*_columns()).join(Domain, Domain.site_id == Site.id)
    query = query.order_by(Site.id, Domain.id)
    wanted = list(statuses or [])
    if wanted:
        query = query.where(Site.status.in_(wanted))
    else:
        query = query.where(Site.status.not_in(DEFAULT_EXCLUDED))
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=BATCH).execute(query)
        for _, group in itertools.groupby(result, key=lambda row: row.site_id):
            rows = [row._mapping for row in group]
            site = {name: _iso(rows[0][name]) for name in SITE_FIELDS}
            domains = [{n: _iso(r[f"d_{n}"]) for n in DOMAIN_FIELDS} for r in rows]
            yield SiteRecord(site, domains)


def evidence_urls(engine: Engine, site_id: int, limit: int) -> list[str]:
    """Up to ``limit`` distinct URLs of the site's evidence, oldest first."""
    with Session(engine) as session:
        query = (
            select(Evidence.url)
            .where(Evidence.site_id == site_id)
            .group_by(Evidence.url)
            .order_by(Evidence.url)
            .limit(limit)
        )
        return list(session.scalars(query))
