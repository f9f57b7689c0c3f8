"""Operator clusters: sites that share an identifier (an analytics or ad ID, a wallet, a
Telegram handle, a contact e-mail, a panel host) are run by the same people, even when no
hop linked their domains into one site.

Computed when read, from the identifiers the linking feature stored per domain
(``link_features``), so the cluster follows new evidence without a background job.  The
cluster is named after its oldest site: ``op-<lowest site id>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from crawler.registry.models import Domain, Site

# Features that are not identifiers of an operator: page structure and redirect pointers.
NOT_IDENTIFIERS = ("template_sig", "template_band", "favicon", "meta_refresh", "js_location")
MAX_SITES = 50  # a cluster larger than this is an ad network's tag, not one operator


@dataclass(frozen=True)
class ClusterMember:
    site_id: int
    label: str
    shared: tuple[tuple[str, str], ...]  # (identifier kind, value) shared with the cluster


def operator_cluster(session: Session, site_id: int) -> tuple[str | None, list[ClusterMember]]:
    """The cluster name and the other sites in it (empty: the site stands alone)."""
    from crawler.linking.models import LinkFeature

    seen = {site_id}
    frontier = [site_id]
    members: dict[int, set[tuple[str, str]]] = {}
    while frontier and len(seen) <= MAX_SITES:
        identifiers = (
            select(LinkFeature.kind, LinkFeature.value)
            .join(Domain, Domain.domain == LinkFeature.domain)
            .where(Domain.site_id.in_(frontier), LinkFeature.kind.not_in(NOT_IDENTIFIERS))
        )
        rows = session.execute(
            select(Domain.site_id, LinkFeature.kind, LinkFeature.value)
            .join(Domain, Domain.domain == LinkFeature.domain)
            .where(
                tuple_(LinkFeature.kind, LinkFeature.value).in_(identifiers),
                Domain.site_id.not_in(seen),
            )
            .limit(MAX_SITES * 20)
        ).all()
        frontier = []
        for other, kind, value in rows:
            members.setdefault(other, set()).add((kind, value))
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    if not members:
        return None, []
    labels = dict(
        session.execute(select(Site.id, Site.label).where(Site.id.in_(list(members)))).all()
    )
    found = [
        ClusterMember(other, labels.get(other, "?"), tuple(sorted(shared)))
        for other, shared in sorted(members.items())
    ]
    return f"op-{min(seen)}", found
