"""First-sight linking, second look: re-decide a domain when its favicon arrives late.

A new domain is judged by :func:`crawler.linking.link.link_page` when its first flagged page
is recorded, but its favicon is fetched after that page (images wait behind pages), so the
favicon cannot prove anything at first sight: a hopped site whose only tie to its old domain
is its icon becomes a site of its own.  When a favicon feature is stored
(:class:`crawler.linking.store.FeatureWriter`), :func:`relink_domain` runs the same decision
again for that domain, and if it now belongs to a known site, merges the site made at first
sight into it: the domain (its role decided by :func:`~crawler.linking.link.hop_or_mirror`),
the proofs, the ``site.hopped`` alert of a hop, and every row that pointed at the first-sight
site (evidence, score history, events, checks, alerts...).

Only a site made by that first sighting is merged: one domain, linked by no proof, no
analyst's verdict, not closed.  Anything else is a decision someone or something already
made, and stays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, MetaData, Table, delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.api.models import AuditEntry
from crawler.linking.link import LinkDecision, link_to_site
from crawler.linking.models import DomainLink
from crawler.registry.models import Domain, Evidence, Site, SiteEvent

logger = logging.getLogger(__name__)
_KEEP_STATUSES = frozenset({"closed", "false_positive"})
AUDIT_ACTOR = "isop-linking"  # the crawler, not a person: who merged
_REPLANS = 3  # the proven site changed between the look and the locks


@dataclass(frozen=True)
class _Sighting:
    """The first sighting of a domain, as :class:`crawler.linking.link.PageLike`."""

    domain: str
    url: str
    seen_at: datetime
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    """Merge the first-sight site ``merged`` (made for ``domain``) into site ``into``."""

    domain: str
    merged: int
    into: int


class _Moved(Exception):
    """Under the locks, the proven site is not the planned one any more: plan again."""


def relink_domain(session: Session, domain: str) -> LinkDecision | None:
    """Link ``domain``'s first-sight site into the known site it belongs to, if any now.

    When that site is itself a younger first-sight site (the old domain's favicon came late,
    after the new domain was seen), the younger is merged into the older instead.  Returns
    the decision when a domain moved, None when nothing changed (no site owns the domain
    yet, its site is not a first-sight one, no known site is proven, or a concurrent relink
    already made the merge).

    Deadlock-free between relinks: the two sites are found without a lock (a trial decision
    in a savepoint, rolled back), then locked together in ascending id order (``SELECT ...
    FOR UPDATE``), then everything is checked again under the locks before anything moves.
    Two relinks of one crossing pair (each domain's favicon proving the other's site) so
    queue on the lower id instead of each holding one site and waiting for the other; the
    second then finds the merge made and does nothing."""
    for _ in range(_REPLANS):
        plan = _plan(session, domain)
        if plan is None:
            return None
        try:
            return _carry_out(session, plan)
        except _Moved:
            continue
    logger.warning("Relink of %s: the proven site kept changing; left as it is", domain)
    return None


def _plan(session: Session, domain: str) -> _Plan | None:
    """Which site would merge into which, decided without keeping a lock or a row."""
    row = session.scalars(select(Domain).where(Domain.domain == domain)).first()
    if row is None:
        return None  # not recorded yet: the page path will see the stored features
    first = session.scalars(select(Site).where(Site.id == row.site_id)).first()
    if first is None or not _first_sight(session, first, row):
        return None  # (None: merged away by a concurrent relink since the domain was read)
    trial = session.begin_nested()
    try:
        target = link_to_site(session, _sighting(session, row), exclude=first.id).site
        if target is None:
            return None
        younger = session.scalars(select(Domain).where(Domain.site_id == target.id)).all()
        if len(younger) == 1 and younger[0].first_seen > row.first_seen \
                and _first_sight(session, target, younger[0]):
            return _Plan(younger[0].domain, merged=target.id, into=first.id)
        return _Plan(domain, merged=first.id, into=target.id)
    finally:
        trial.rollback()  # the proofs, note and alert are written again under the locks


def _carry_out(session: Session, plan: _Plan) -> LinkDecision | None:
    """Lock both sites (ascending id), check the plan still holds, merge.  Raises
    :class:`_Moved`, having released the locks (a savepoint rolled back), when the proofs
    now lead elsewhere."""
    held = session.begin_nested()
    sites = {site.id: site for site in session.scalars(
        select(Site).where(Site.id.in_(sorted((plan.merged, plan.into))))
        .order_by(Site.id).with_for_update()
        .execution_options(populate_existing=True))}  # fmt: skip
    if len(sites) < 2:
        held.commit()
        return None  # one of them was merged (or removed) meanwhile: nothing left to do
    row = session.scalars(select(Domain).where(Domain.domain == plan.domain).with_for_update()
                          .execution_options(populate_existing=True)).first()  # fmt: skip
    first = sites[plan.merged]
    if row is None or row.site_id != first.id or not _first_sight(session, first, row):
        held.commit()
        return None  # linked, proven or judged meanwhile: a decision made, it stays
    decision = link_to_site(session, _sighting(session, row), exclude=first.id)
    if decision.site is None or decision.site.id != plan.into:
        held.rollback()
        raise _Moved(plan.domain)
    held.commit()
    _merge(session, first, decision, row)
    return decision


def _sighting(session: Session, row: Domain) -> _Sighting:
    url = session.scalar(select(Evidence.url).where(Evidence.site_id == row.site_id)
                         .order_by(Evidence.captured_at, Evidence.id).limit(1))
    return _Sighting(row.domain, url or f"http://{row.domain}/", row.first_seen)


def _first_sight(session: Session, site: Site, row: Domain) -> bool:
    """``site`` was made by the first sighting of ``row`` and nothing has been decided on
    it since: its only domain, linked by no proof, no analyst's verdict, not closed."""
    others = session.scalar(select(func.count()).select_from(Domain).where(
        Domain.site_id == site.id, Domain.id != row.id))
    proven = session.scalar(select(DomainLink.id).where(DomainLink.domain == row.domain)
                            .limit(1))
    return not others and proven is None and site.verdict is None \
        and site.status not in _KEEP_STATUSES


def _merge(session: Session, first: Site, decision: LinkDecision, row: Domain) -> None:
    target = decision.site
    assert target is not None
    if decision.hop:
        for old in session.scalars(select(Domain).where(Domain.site_id == target.id,
                                                        Domain.role == "primary")):
            old.role = "former"
        target.label = row.domain
    row.site = target
    row.role = "primary" if decision.hop else "mirror"
    row.how_linked = decision.how_linked or "favicon"
    target.first_seen = min(target.first_seen, first.first_seen)
    target.max_score = max(target.max_score, first.max_score)
    if first.last_seen > target.last_seen:
        target.last_seen, target.score = first.last_seen, first.score
    session.add(SiteEvent(site_id=target.id, kind="note", actor="linking", at=row.first_seen,
                          text=f"site #{first.id} ({first.label}, made at the first sighting of "
                               f"{row.domain}) merged into this one: its favicon arrived "
                               "after its first page"))  # fmt: skip
    _audit(session, first, target, row.domain)
    session.flush()
    moved = _move_rows(session, first.id, target.id)
    session.execute(delete(Site).where(Site.id == first.id))
    session.expunge(first)
    logger.info("Relinked %s into site #%s (%s); site #%s merged (%s rows moved)", row.domain,
                target.id, decision.how_linked, first.id, moved)


def _audit(session: Session, merged: Site, into: Site, domain: str) -> None:
    """Two ``site.merged`` entries in the append-only audit log, one under each id.  Audit
    rows keep a site id without a foreign key (the log outlives sites) and are never moved:
    the entry under the surviving id names the merged one, whose own trail (entries under
    its old id, before the merge) is then found by that id; the entry under the old id says
    where the site went (an id in an old export or alert leads on)."""
    change = {"before": {"site_id": merged.id, "label": merged.label, "status": merged.status},
              "after": {"site_id": into.id, "label": into.label}}
    now = datetime.now(UTC)
    for site_id in (into.id, merged.id):
        session.add(AuditEntry(at=now, actor=AUDIT_ACTOR, via="crawler", address=None,
                               action="site.merged", site_id=site_id, target=domain,
                               **change))  # fmt: skip


def _move_rows(session: Session, old: int, new: int) -> int:
    """Point every row that references site ``old`` at ``new``; a row that would clash with
    one of ``new`` (a unique key) is dropped.  Tables are read from the database itself, so
    features added by later migrations are moved too."""
    conn = session.connection()
    inspector = inspect(conn)
    reflected = MetaData()  # not Base.metadata: what the migrations compare must stay as is
    moved = 0
    for name in inspector.get_table_names():
        if name in ("sites", "domains"):
            continue
        for fk in inspector.get_foreign_keys(name):
            if fk["referred_table"] != "sites" or len(fk["constrained_columns"]) != 1:
                continue
            table = Table(name, reflected, autoload_with=conn)
            column = table.c[fk["constrained_columns"][0]]
            try:
                with session.begin_nested():
                    result = session.execute(update(table).where(column == old)
                                             .values({column.name: new}))
                    moved += cast(CursorResult[Any], result).rowcount
            except IntegrityError:
                moved += _move_one_by_one(session, table, column.name, old, new)
    return moved


def _move_one_by_one(session: Session, table: Table, column: str, old: int, new: int) -> int:
    keys = list(table.primary_key.columns)
    moved = 0
    for found in session.execute(select(*keys).where(table.c[column] == old)).all():
        where = [key == value for key, value in zip(keys, found, strict=True)]
        try:
            with session.begin_nested():
                session.execute(update(table).where(*where).values({column: new}))
                moved += 1
        except IntegrityError:
            session.execute(delete(table).where(*where))
    return moved
