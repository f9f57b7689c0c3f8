"""Streamed exports of the sites a caller may see, in the formats of ``crawler.exports``.

The rows come from a scoped, keyset-paginated query (a scoped user's export holds exactly
what their list shows); the writers are the export feature's own (CSV with formula
defusing, JSON Lines, STIX 2.1 bundles), so ``isop export`` and the API agree byte for byte
on the format.  Those writers write to a file; here they run in a worker thread writing
into a bounded pipe that the HTTP response drains, so memory stays flat whatever the size
and a client that goes away stops the export.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterator
from typing import IO, Any, cast

from sqlalchemy import select

from crawler.api.db import Database
from crawler.api.queries import SiteFilters, filtered
from crawler.api.scope import Principal
from crawler.exports import observed, rows, stix, tabular
from crawler.registry.models import Domain, Site

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "stix": "application/stix+json;version=2.1",
}
BATCH = 500
CHUNK = 64 * 1024
STIX_URLS_PER_SITE = 10


class _Gone(Exception):
    """The reader went away: stop writing."""


class _Pipe(io.TextIOBase):
    """A text file whose writes arrive, in chunks, at the other end of a bounded queue."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
        self.buffer: list[str] = []
        self.size = 0
        self.gone = threading.Event()

    def write(self, text: str) -> int:
        self.buffer.append(text)
        self.size += len(text)
        if self.size >= CHUNK:
            self._push()
        return len(text)

    def _push(self) -> None:
        data = "".join(self.buffer).encode("utf-8")
        self.buffer, self.size = [], 0
        while not self.gone.is_set():
            try:
                self.chunks.put(data, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _Gone

    def finish(self, error: BaseException | None) -> None:
        if error is None:
            self._push()
        if not self.gone.is_set():
            self.chunks.put(error)


def records(db: Database, principal: Principal, filters: SiteFilters) -> Iterator[rows.SiteRecord]:
    """Visible sites with their domains, by id, one batch in memory at a time.  Without a
    status filter, false positives stay out (as in ``isop export``)."""
    last = 0
    while True:
        with db.reading() as session:
            query = filtered(principal, filters).where(Site.id > last)
            if not filters.status:
                query = query.where(Site.status.not_in(rows.DEFAULT_EXCLUDED))
            sites = list(session.scalars(query.order_by(Site.id).limit(BATCH)))
            if not sites:
                return
            domains: dict[int, list[dict[str, Any]]] = {site.id: [] for site in sites}
            for domain in session.scalars(select(Domain).where(
                    Domain.site_id.in_(list(domains))).order_by(Domain.id)):  # fmt: skip
                domains[domain.site_id].append(
                    {name: rows._iso(getattr(domain, name)) for name in rows.DOMAIN_FIELDS}
                )
            batch = [
                rows.SiteRecord({"site_id": site.id, **{name: rows._iso(getattr(site, name, None))
                                 for name in rows.SITE_FIELDS[1:]}}, domains[site.id])
                for site in sites
            ]  # fmt: skip
        last = sites[-1].id
        yield from batch


def stream(db: Database, principal: Principal, fmt: str, filters: SiteFilters) -> Iterator[bytes]:
    pipe = _Pipe()

    out = cast(IO[str], pipe)

    def produce() -> None:
        error: BaseException | None = None
        try:
            found = observed.attach(records(db, principal, filters), db.engine,
                                    detail=fmt != "csv")  # what the spiders observed
            if fmt == "csv":
                tabular.write_csv(found, out)
            elif fmt == "jsonl":
                tabular.write_jsonl(found, out)
            else:
                stix.write_bundle(found, out, lambda site_id: rows.evidence_urls(
                    db.engine, site_id, STIX_URLS_PER_SITE))  # fmt: skip
        except _Gone:
            return
        except BaseException as exc:  # handed to the reader, which raises it
            error = exc
        pipe.finish(error)

    worker = threading.Thread(target=produce, name="isop-export", daemon=True)
    worker.start()
    try:
        while True:
            item = pipe.chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        pipe.gone.set()
        worker.join(timeout=5)
