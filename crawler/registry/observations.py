"""What the per-kind spiders observed on each domain: releases, playlists, panels, streams...

One row per (domain, kind, natural key) (see :mod:`crawler.facts.record`): seeing a release
again on the next crawl updates its row (last seen, times seen, facts, score) instead of
adding one, so the table grows with what sites offer, not with how often they are crawled.
Rows are per registered domain, not per site: domains move between sites when linking finds
a hop, and a site's observations are those of its domains.

:func:`record` writes a batch in the caller's transaction: the observations (one multi-row
upsert) and, for flagged items, their verdicts through :func:`crawler.registry.bulk.
record_batch`, exactly as flagged pages (evidence on the site, created if need be).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from crawler.registry import bulk, store, validate
from crawler.registry.models import DOMAIN_LEN, Base
from crawler.registry.types import UTCDateTime
from detectors.site import SiteConfig

if TYPE_CHECKING:
    from crawler.facts.record import Observation

KIND_LEN = 16
KEY_LEN = 200


class ObservationRow(Base):
    """One thing seen on a domain, under its natural key."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("domain", "kind", "key", name="uq_observations_entry"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    kind: Mapped[str] = mapped_column(String(KIND_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    times_seen: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    infringing: Mapped[bool] = mapped_column(Boolean)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)


def validated(observation: Observation) -> Observation:
    """``observation`` checked like every registry input (``ValueError`` when bad)."""
    validate.domain(observation.domain)
    validate.aware(observation.seen_at, "seen_at")
    if not observation.key or len(observation.key) > KEY_LEN:
        raise ValueError(f"observation key must be 1-{KEY_LEN} characters")
    if "\x00" in observation.url or "\x00" in observation.key:
        raise ValueError("observation url or key with a NUL character")  # PostgreSQL refuses
    if len(observation.kind) > KIND_LEN:
        raise ValueError(f"observation kind too long: {observation.kind[:40]!r}")
    if observation.score is not None:
        validate.score(observation.score)
    json.dumps(observation.facts, allow_nan=False)  # ValueError/TypeError for what JSON refuses
    return observation


def verdict_kwargs(observation: Observation, item_domain: str, verdict: Any) -> dict[str, Any]:
    """``Registry.record_page_verdict`` arguments for a flagged item: evidence on the site of
    the item's own domain and URL. Where a page has its body's hash, an item has the hash of
    its natural key and the signals that flagged it: a revisit whose seeders moved adds no
    evidence row, one flagged for other reasons does (a new version, like a changed page)."""
    names = sorted({s.qualified_name for s in verdict.signals})
    facts = json.dumps([observation.kind, observation.key, names])
    return {
        "domain": item_domain,
        # A playlist pasted in a page ("PAGE#pasted") is evidence of that page: the site rule
        # counts flagged pages by URL, and one page must not count twice.
        "url": observation.url.split("#", 1)[0] or observation.url,
        "score": verdict.score,
        "infringing": verdict.infringing,
        "kind": verdict.kind,
        "explanation": verdict.explanation,
        "signals": [s.to_dict() for s in verdict.signals],
        "content_sha256": hashlib.sha256(facts.encode()).hexdigest(),
        "seen_at": observation.seen_at,
    }


def write(registry: store.Registry, batch: Sequence[dict[str, Any]]) -> int:
    """Write a batch of ``{"observation": Observation, "verdict": kwargs | None}`` in one
    transaction (retried from scratch when it loses a race, like every registry write)."""
    observations = [validated(one["observation"]) for one in batch]
    pages = sorted((store.page_verdict(**one["verdict"]) for one in batch if one.get("verdict")),
                   key=lambda p: p.domain)  # fmt: skip
    rule = registry.policy.site_rule

    def work(session: Session) -> int:
        upsert(session, observations)
        if pages:
            bulk.record_batch(session, pages, rule or SiteConfig())
        return len(observations)

    return registry.write(work)  # the registry's own retrying transaction


def upsert(session: Session, observations: Sequence[Observation]) -> None:
    """Insert new observations, update known ones (one statement; duplicates in the batch
    merged first: an upsert may not touch one row twice)."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for o in sorted(observations, key=lambda o: o.seen_at):
        row = merged.get((o.domain, o.kind, o.key))
        merged[(o.domain, o.kind, o.key)] = {
            "domain": o.domain, "kind": o.kind, "key": o.key, "url": o.url,
            "first_seen": row["first_seen"] if row else o.seen_at, "last_seen": o.seen_at,
            "times_seen": (row["times_seen"] if row else 0) + 1, "score": o.score,
            "infringing": o.infringing, "facts": o.facts,
        }  # fmt: skip
    if not merged:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert: Any = postgresql.insert(ObservationRow)
    elif dialect == "sqlite":
        insert = sqlite.insert(ObservationRow)
    else:
        raise NotImplementedError(f"observations: no upsert for {dialect}")
    table = ObservationRow.__table__
    new = insert.excluded
    later = new.last_seen >= table.c.last_seen
    statement = insert.on_conflict_do_update(
        index_elements=["domain", "kind", "key"],
        set_={
            "first_seen": func.min(table.c.first_seen, new.first_seen)
            if dialect == "sqlite" else func.least(table.c.first_seen, new.first_seen),
            "last_seen": case((later, new.last_seen), else_=table.c.last_seen),
            "times_seen": table.c.times_seen + new.times_seen,
            "url": case((later, new.url), else_=table.c.url),
            "score": case((later, new.score), else_=table.c.score),
            "infringing": case((later, new.infringing), else_=table.c.infringing),
            "facts": case((later, new.facts), else_=table.c.facts),
        },
    )  # fmt: skip
    # In key order: concurrent writers (a fleet) lock the same rows in the same order.
    session.execute(statement, [merged[key] for key in sorted(merged)])
