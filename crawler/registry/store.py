"""The registry's public API: validate, then delegate to the SQL backend.

Writers are crawler processes running at once.  Each write is one short transaction; a
write that loses a race (a unique constraint hit because another process created the same
domain, a lock or deadlock reported by the backend) is retried from the start, and the retry
then finds the other writer's row.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crawler.registry import backend, bulk, checks, history, lifecycle, validate
from crawler.registry.db import lost_race, write_engine
from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.migrate import open_migrated
from crawler.registry.models import Check, Domain, Site
from crawler.registry.policy import Policy
from crawler.registry.views import AnalystLabel, EvidenceView, SiteHistory, SiteView

T = TypeVar("T")

WRITE_ATTEMPTS = 8


class Registry:
    """Sites, their domains and evidence, in any SQLAlchemy database (SQLite by default)."""

    def __init__(self, engine: Engine, policy: Policy | None = None) -> None:
        """Wrap an engine whose schema is already current; use ``Registry.open`` normally."""
        self._engine = engine
        self.policy = policy or Policy()
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine(engine), expire_on_commit=False)

    @classmethod
    def open(cls, url: str, policy: Policy | None = None) -> Registry:
        """Connect to ``url`` and migrate it to the current schema.

        Raises ``RegistryUnavailable("<url without password>: <cause>")`` when the database
        can't be reached, opened or migrated.
        """
        engine = open_migrated(url)
        return cls(engine, policy)

    def close(self) -> None:
        """Close every pooled connection (unclosed SQLite connections warn)."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def record_page_verdict(
        self,
        domain: str,
        url: str,
        score: float,
        infringing: bool,
        kind: str | None,
        explanation: str,
        signals: list[dict[str, Any]],
        content_sha256: str,
        seen_at: datetime,
        aliases: Iterable[tuple[str, str]] = (),
        how_linked: str = "discovered",
    ) -> SiteView | None:
        """Record one page's fused verdict; returns its site, or None for a clean stranger.

        The site owning ``domain`` is updated (created when the page is infringing and the
        domain unknown; a redirect from a known site's domain makes the new domain that
        site's primary).  ``aliases`` are ``(domain, how_linked)`` pairs, e.g. the domains of
        the redirect chain that led here; unowned ones join the site ("redirect" ones as
        "former" domains).  Evidence is stored once per (site, url, content hash).
        """
        page = _page(domain, url, score, infringing, kind, explanation, signals,
                     content_sha256, seen_at, aliases, how_linked)  # fmt: skip
        rule = self.policy.site_rule
        return self._write_retrying(
            lambda session: backend.record_page_verdict(session, page, rule)
        )

    def record_evidence(self, domain: str, url: str, score: float, explanation: str,
                        signals: list[dict[str, Any]], content_sha256: str,
                        seen_at: datetime) -> SiteView | None:  # fmt: skip
        """Add evidence that is no page verdict (a catalog match of an image the site shows)
        to the site owning ``domain``; its score and status stay. None when no site owns
        the domain: an image alone never makes a site (reviews show posters too)."""
        page = _page(domain, url, score, False, None, explanation, signals, content_sha256,
                     seen_at)  # fmt: skip
        return self._write_retrying(lambda session: backend.record_evidence(session, page))

    def record_page_verdicts(self, verdicts: Iterable[dict[str, Any]]) -> int:
        """Record many verdicts (keyword arguments of ``record_page_verdict``) in one
        transaction: the throughput path for bulk ingest (see :mod:`crawler.registry.bulk`).
        All are validated first; sites are locked in id order, so that concurrent batches
        rarely deadlock (a deadlock or a lost race retries the whole batch).  Returns how
        many were written."""
        pages = sorted((_page(**verdict) for verdict in verdicts), key=lambda p: p.domain)
        rule = self.policy.site_rule

        def work(session: Session) -> int:
            return bulk.record_batch(session, pages, rule)

        return self._write_retrying(work) if pages else 0

    def sites(self) -> list[SiteView]:
        """Every site, highest score first."""
        with self._read() as session, session.begin():
            return backend.site_views(session)

    def site_by_domain(self, domain: str) -> SiteView | None:
        """The site owning ``domain`` (primary, alias, mirror or former), if any."""
        name = validate.domain(domain)
        with self._read() as session, session.begin():
            found = backend.site_views(session, name)
        return found[0] if found else None

    def evidence(self, site_id: int) -> list[EvidenceView]:
        """The evidence of a known site, oldest first."""
        if isinstance(site_id, bool) or not isinstance(site_id, int):
            raise ValueError(f"site_id must be an int, got {site_id!r}")
        with self._read() as session, session.begin():
            if not backend.site_exists(session, site_id):
                raise ValueError(f"unknown site id {site_id}")
            return backend.evidence_views(session, site_id)

    # -- analysts ------------------------------------------------------------------------
    def confirm(self, domain: str, analyst: str, note: str | None = None) -> SiteView:
        """An analyst confirms the site owning ``domain`` (kept as a label for evaluation)."""
        return self._verdict(domain, "confirmed", analyst, note)

    def false_positive(self, domain: str, analyst: str, note: str | None = None) -> SiteView:
        """An analyst says the site is not infringing: it stays so whatever later pages score."""
        return self._verdict(domain, "false_positive", analyst, note)

    def note(self, domain: str, analyst: str, text: str) -> SiteView:
        """Add an analyst's note to the site's history."""
        name, who = validate.domain(domain), validate.text(analyst, "analyst")
        body = validate.text(text, "note")
        return self._on_site(name, lambda s, site, at: lifecycle.add_note(
            s, site, analyst=who, text=body, at=at))  # fmt: skip

    def analyst_labels(self) -> list[AnalystLabel]:
        """Every site an analyst labelled, with the latest label: for ``isop eval``."""
        with self._read() as session, session.begin():
            return history.analyst_labels(session)

    def history(self, domain: str) -> SiteHistory | None:
        """The full history of the site owning ``domain``, or None if no site owns it."""
        name = validate.domain(domain)
        with self._read() as session, session.begin():
            return history.site_history(session, name)

    def _verdict(self, domain: str, verdict: str, analyst: str, note: str | None) -> SiteView:
        name, who = validate.domain(domain), validate.text(analyst, "analyst")
        if note is not None:
            validate.text(note, "note")
        return self._on_site(name, lambda s, site, at: lifecycle.set_verdict(
            s, site, verdict, analyst=who, at=at, note=note))  # fmt: skip

    def _on_site(self, domain: str, change: Callable[[Session, Site, datetime], None]) -> SiteView:
        def work(session: Session) -> SiteView:
            site = session.scalars(
                select(Site).join(Domain, Domain.site_id == Site.id)
                .where(Domain.domain == domain).with_for_update()
            ).first()  # fmt: skip
            if site is None:
                raise ValueError(f"no site owns the domain {domain!r}")
            change(session, site, datetime.now(UTC))
            session.flush()
            return backend.site_views(session, domain)[0]

        return self._write_retrying(work)

    # -- monitor ---------------------------------------------------------------------------
    def claim_due(self, limit: int = 100, now: datetime | None = None) -> list[checks.DueCheck]:
        """Claim up to ``limit`` monitored sites not scheduled yet (see ``checks.claim_due``)."""
        when = validate.aware(now, "now") if now is not None else datetime.now(UTC)
        return self._write_retrying(
            lambda session: checks.claim_due(session, self.policy, when, limit)
        )

    def record_check(self, result: checks.CheckResult) -> checks.CheckRecorded:
        """Store a check, update the site's status; returns the next check to schedule."""
        if result.outcome not in checks.OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(checks.OUTCOMES)}")
        validate.aware(result.at, "at")
        validate.domain(result.domain)
        if result.moved_to is not None:
            validate.domain(result.moved_to, "moved_to")
        return self._write_retrying(
            lambda session: checks.record_check(session, result, self.policy)
        )

    def status_counts(self) -> dict[tuple[str, str], int]:
        """Sites by (status, kind); kind "" when unknown.  For the metrics."""
        with self._read() as session, session.begin():
            rows = session.execute(
                select(Site.status, Site.kind, func.count(Site.id)).group_by(Site.status, Site.kind)
            )
            return {(status, kind or ""): int(n) for status, kind, n in rows}

    def check_counts(self) -> dict[str, int]:
        """Checks recorded by outcome.  For the metrics."""
        with self._read() as session, session.begin():
            rows = session.execute(
                select(Check.outcome, func.count(Check.id)).group_by(Check.outcome)
            )
            return {outcome or "unknown": int(n) for outcome, n in rows}

    # -- for registry features in their own modules (observations...) ----------------------
    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` in one write transaction, again from scratch when it lost a
        race (as every write of this class): for features that own their tables."""
        return self._write_retrying(work)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read session in an open transaction (closed on exit)."""
        with self._read() as session, session.begin():
            yield session

    def _write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in its own transaction, again from scratch if it lost a race."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._write() as session, session.begin():
                    return work(session)
            except (IntegrityError, OperationalError, SiteMovedMeanwhile) as exc:
                if attempt == WRITE_ATTEMPTS or not (
                    isinstance(exc, SiteMovedMeanwhile) or lost_race(exc)
                ):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # jitter: don't collide again
        raise AssertionError("unreachable")


def page_verdict(**kwargs: Any) -> backend.PageVerdict:
    """A verdict validated like ``Registry.record_page_verdict``'s arguments (``ValueError``
    when bad), for writers that record verdicts in their own transaction."""
    return _page(**kwargs)


def _page(
    domain: str,
    url: str,
    score: float,
    infringing: bool,
    kind: str | None,
    explanation: str,
    signals: list[dict[str, Any]],
    content_sha256: str,
    seen_at: datetime,
    aliases: Iterable[tuple[str, str]] = (),
    how_linked: str = "discovered",
) -> backend.PageVerdict:
    """One verdict, validated (see ``validate``): bad input never reaches the database."""
    return backend.PageVerdict(
        domain=validate.domain(domain),
        url=validate.text(url, "url"),
        score=validate.score(score),
        infringing=bool(infringing),
        kind=validate.kind(kind),
        explanation=validate.text(explanation, "explanation", empty=True),
        signals=validate.signals(signals),
        content_sha256=validate.sha256_hex(content_sha256),
        seen_at=validate.aware(seen_at, "seen_at"),
        aliases=validate.aliases(aliases, owner=domain),
        how_linked=validate.text(how_linked, "how_linked"),
    )


