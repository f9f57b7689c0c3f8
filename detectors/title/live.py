"""Works that change while the detector runs: a source with a version, checked now and then.

The title detector's works come from its YAML file by default.  A crawler with a registry
attaches a :class:`WorksSource` instead (the registry's works table: see
``crawler.registry.works_source``), and from then on the detector asks the source for its
version at most once every ``check_every`` seconds, on the page being judged; only when the
version moved does it read the works again and rebuild its index.  The check is one tiny
query, so a running crawler picks up an analyst's edit within ``check_every`` seconds
without a restart and without a per-page cost.

A source that fails (the database restarting) leaves the detector on the works it has: the
failure is counted and logged, and the next check is again ``check_every`` seconds later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol

from detectors.title.catalog import NameIndex, WorkSpec

logger = logging.getLogger(__name__)


class WorksSource(Protocol):
    """Where the protected works live when they are not a file."""

    def version(self) -> Hashable:
        """A value that changes whenever any work is added, edited or removed."""

    def works(self) -> tuple[Hashable, Sequence[WorkSpec]]:
        """The version and every work, read together (one snapshot)."""

    def describe(self) -> str:
        """Where, for logs ("registry sqlite:///..."), never with a password."""


class LiveWorks:
    """The current works index of one detector, and when to look at its source again."""

    def __init__(
        self,
        source: WorksSource,
        build: Callable[[Sequence[WorkSpec]], NameIndex],
        check_every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.build = build
        self.check_every = max(0.0, check_every)
        self.clock = clock
        self.version: Hashable = None
        self.reloads = 0
        self.errors = 0
        version, works = source.works()  # at attach time a failure is the caller's to report
        self.index = build(works)
        self.version = version
        self._next_check = clock() + self.check_every

    def current(self) -> NameIndex:
        """The index to match against now: reloaded first when the source's version moved."""
        now = self.clock()
        if now < self._next_check:
            return self.index
        self._next_check = now + self.check_every
        try:
            if self.source.version() != self.version:
                version, works = self.source.works()
                self.index, self.version = self.build(works), version
                self.reloads += 1
                logger.info("title_match: %d works reloaded from %s (version %s)",
                            len(works), self.source.describe(), version)  # fmt: skip
        except Exception as exc:  # keep matching with the works we have
            self.errors += 1
            logger.warning("title_match: cannot check the works in %s, keeping %d spellings: %s",
                           self.source.describe(), len(self.index), exc)  # fmt: skip
        return self.index
