"""The analysts' review queue, most uncertain first, and the labels their verdicts make.

Uncertainty is the distance of the site's score from the infringing threshold (on the
calibrated scale, ``fusion.thresholds.infringing``): a site just over it is a coin toss worth
an analyst's minute, one at 0.99 is not.  Sites with an analyst
verdict leave the queue; their verdicts (the registry's ``site_events``) are the labels
detector evaluation reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.api.queries import summaries
from crawler.api.scope import Principal, visible
from crawler.registry.models import Domain, Site, SiteEvent

QUEUE_STATUSES = ("candidate", "confirmed")
#: The shipped ``fusion.thresholds.infringing`` (config/detectors.yaml; a test keeps them equal),
#: used when the deployment's detectors config cannot be read.
DEFAULT_THRESHOLD = 0.7


def infringing_threshold(detectors_yaml: Path) -> float:
    """``fusion.thresholds.infringing`` of the detectors config, else the shipped value."""
    try:
        data = yaml.safe_load(detectors_yaml.read_text(encoding="utf-8")) or {}
        value = float(data["fusion"]["thresholds"]["infringing"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return DEFAULT_THRESHOLD
    return value if 0.0 <= value <= 1.0 else DEFAULT_THRESHOLD


def _unreviewed() -> Any:
    return Site.verdict.is_(None)


def queue(session: Session, principal: Principal, threshold: float,
          limit: int = 50) -> list[dict[str, Any]]:  # fmt: skip
    uncertainty = func.abs(Site.score - threshold)
    sites = list(session.scalars(
        select(Site)
        .where(Site.status.in_(QUEUE_STATUSES), _unreviewed(), visible(principal, Site.id))
        .order_by(uncertainty, Site.id)
        .limit(max(1, min(limit, 200)))
    ))  # fmt: skip
    rows = summaries(session, sites)
    for row in rows:
        row["uncertainty"] = round(abs(row["score"] - threshold), 4)
    return rows


def labels(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Each labelled site's latest analyst verdict, one row per domain of the site.

    Read from the registry's verdict history (``site_events``), so verdicts given in the
    console, through the API or with ``isop sites confirm|false-positive`` all count.
    """
    latest = (
        select(SiteEvent.site_id, func.max(SiteEvent.id).label("last"))
        .where(SiteEvent.kind == "verdict")
        .group_by(SiteEvent.site_id)
        .subquery()
    )
    query = (
        select(Domain.domain, Site.id, SiteEvent.new, SiteEvent.actor, SiteEvent.at, Site.kind)
        .join(latest, latest.c.last == SiteEvent.id)
        .join(Site, Site.id == SiteEvent.site_id)
        .join(Domain, Domain.site_id == Site.id)
        .where(visible(principal, Site.id))
        .order_by(Domain.domain)
    )
    return [
        {"target": domain, "site_id": site_id, "label": label, "kind": kind,
         "analyst": actor.removeprefix("analyst:"), "at": at.isoformat()}
        for domain, site_id, label, actor, at, kind in session.execute(query)
    ]  # fmt: skip
