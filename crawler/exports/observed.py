"""What the spiders observed on each exported site, attached to the streamed records.

Records arrive one site at a time (:func:`crawler.exports.rows.sites`, the API's scoped
query); this reads their observations a batch of sites at a time: one grouped count query per
batch (the CSV's count columns) and, for JSON Lines and STIX, one query for the summaries'
top lists (:func:`crawler.registry.observed.summaries`). Memory holds one batch, whatever
the registry's size.

What leaves here is what the registry stores: URLs already redacted by the spiders, panel
lines as their salted hash. No credential is ever exported.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crawler.exports.rows import SiteRecord
from crawler.facts.record import OBSERVATION_KINDS
from crawler.registry.observations import ObservationRow
from crawler.registry.observed import ObservationSummary, summaries

BATCH = 200
#: CSV columns: observations per kind, then how many of them were flagged.
COUNT_COLUMNS = [*(f"observed_{kind}" for kind in OBSERVATION_KINDS), "observed_flagged"]


def attach(records: Iterable[SiteRecord], engine: Engine, detail: bool = True,
           batch: int = BATCH) -> Iterator[SiteRecord]:  # fmt: skip
    """``records`` with their ``observations`` (counts only unless ``detail``) and the time
    of the latest one (``observed_at``), in the same order."""
    it = iter(records)
    while chunk := list(itertools.islice(it, batch)):
        with Session(engine) as session, session.begin():
            yield from _batch(session, chunk, detail)


def _batch(session: Session, chunk: list[SiteRecord], detail: bool) -> Iterator[SiteRecord]:
    owner = {d["domain"]: i for i, record in enumerate(chunk) for d in record.domains}
    counts: list[dict[str, int]] = [{} for _ in chunk]
    flagged: list[dict[str, int]] = [{} for _ in chunk]
    latest: list[datetime | None] = [None for _ in chunk]
    if owner:
        for domain, kind, infringing, n, last in session.execute(
            select(ObservationRow.domain, ObservationRow.kind, ObservationRow.infringing,
                   func.count(ObservationRow.id), func.max(ObservationRow.last_seen))
            .where(ObservationRow.domain.in_(list(owner)))
            .group_by(ObservationRow.domain, ObservationRow.kind, ObservationRow.infringing)
        ):  # fmt: skip
            i = owner[domain]
            counts[i][kind] = counts[i].get(kind, 0) + int(n)
            if infringing:
                flagged[i][kind] = flagged[i].get(kind, 0) + int(n)
            at, current = _aware(last), latest[i]
            if at is not None and (current is None or at > current):
                latest[i] = at
    if detail:
        found = summaries(session, [[d["domain"] for d in r.domains] for r in chunk], counts,
                          flagged)  # fmt: skip
    else:
        found = [ObservationSummary(counts=c, flagged=f) for c, f in zip(counts, flagged,
                                                                         strict=True)]  # fmt: skip
    for record, summary, at in zip(chunk, found, latest, strict=True):
        yield dataclasses.replace(record, observations=summary, observed_at=at)


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None  # SQLite's max() of a column may come back as text on old drivers
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def count_cells(summary: ObservationSummary | None) -> list[int]:
    """The CSV count columns of one site (zeros when nothing was observed)."""
    counts = summary.counts if summary is not None else {}
    flagged = summary.flagged if summary is not None else {}
    return [*(int(counts.get(kind, 0)) for kind in OBSERVATION_KINDS), sum(flagged.values())]
