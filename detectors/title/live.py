"""Works and channels that change while the detector runs: a source with a version, checked
now and then.

The title detector's works and channels come from its YAML files by default.  A crawler with
a registry attaches a :class:`WorksSource` instead (the registry's tables: see
``crawler.registry.works_source``), and from then on the detector asks the source for its
version at most once every ``check_every`` seconds, when a page is judged (in a thread of its
own in crawlers, see :class:`LiveWorks`); only when the version moved does it read the catalog
again and rebuild its indexes.  The check is one tiny
query, so a running crawler picks up an analyst's edit within ``check_every`` seconds
without a restart and without a per-page cost.

A source that fails (the database restarting) leaves the detector on the works it has: the
failure is counted and logged, and the next check is again ``check_every`` seconds later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol

from detectors.title.catalog import ChannelSpec, NameIndex, WorkSpec

logger = logging.getLogger(__name__)


class WorksSource(Protocol):
    """Where the protected works live when they are not a file."""

    def version(self) -> Hashable:
        """A value that changes whenever any work is added, edited or removed."""

    def catalog(self) -> tuple[Hashable, Sequence[WorkSpec], Sequence[ChannelSpec] | None]:
        """The version, every work and every channel (None: channels are not this source's,
        the detector keeps its file's), read together."""

    def describe(self) -> str:
        """Where, for logs ("registry sqlite:///..."), never with a password."""


Loaded = tuple[Hashable, NameIndex, NameIndex | None]


class LiveWorks:
    """The current works and channels indexes of one detector, and when to look at its
    source again.

    With ``background`` (crawlers), the check and the reload run in a thread of their own and
    the new indexes are swapped in at the first page judged after it finished: a slow or hung
    database, or a rebuild of a large catalog (~0.45 s for 10,000 works), never stalls the
    crawler's event loop, and pages go on being matched against the catalog they had.
    """

    def __init__(
        self,
        source: WorksSource,
        build_works: Callable[[Sequence[WorkSpec]], NameIndex],
        build_channels: Callable[[Sequence[ChannelSpec]], NameIndex],
        check_every: float,
        clock: Callable[[], float] = time.monotonic,
        background: bool = False,
    ) -> None:
        self.source = source
        self.build_works = build_works
        self.build_channels = build_channels
        self.check_every = max(0.0, check_every)
        self.clock = clock
        self.background = background
        self.reloads = 0
        self.errors = 0
        # At attach time a failure is the caller's to report.
        self.version, self.index, self.channels = self._load()
        self._ready: Loaded | None = None
        self._checking: threading.Thread | None = None
        self._next_check = clock() + self.check_every

    def _load(self) -> Loaded:
        version, works, channels = self.source.catalog()
        index = self.build_works(works)
        built = self.build_channels(channels) if channels is not None else None
        logger.info("title_match: %d works, %s channels read from %s (version %s)", len(works),
                    "file" if channels is None else len(channels), self.source.describe(),
                    version)  # fmt: skip
        return version, index, built

    def _check(self, version: Hashable) -> None:
        try:
            if self.source.version() != version:
                self._ready = self._load()
        except Exception as exc:  # keep matching with the catalog we have
            self.errors += 1
            logger.warning("title_match: cannot check the catalog in %s, keeping %d spellings: "
                           "%s", self.source.describe(), len(self.index), exc)  # fmt: skip

    def current(self) -> NameIndex:
        """The works index to match against now (``channels`` is the channels index): a
        catalog reloaded since the last call is swapped in, and a check is started when due."""
        self._swap()
        now = self.clock()
        busy = self._checking is not None and self._checking.is_alive()
        if now < self._next_check or busy:
            return self.index
        self._next_check = now + self.check_every
        if not self.background:
            self._check(self.version)
            self._swap()
            return self.index
        self._checking = threading.Thread(target=self._check, args=(self.version,),
                                          name="title-catalog-check", daemon=True)  # fmt: skip
        self._checking.start()
        return self.index

    def _swap(self) -> None:
        ready, self._ready = self._ready, None
        if ready is not None:
            self.version, self.index, self.channels = ready
            self.reloads += 1

    def settled(self, timeout: float) -> bool:
        """Wait for a check in flight (tests, shutdown); False if it is still running."""
        if self._checking is not None:
            self._checking.join(timeout)
            return not self._checking.is_alive()
        return True
