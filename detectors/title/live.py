"""Works and channels that change while the detector runs: a source with a version, checked
now and then.

The title detector's works and channels come from its YAML files by default.  A crawler with
a registry attaches a :class:`WorksSource` instead (the registry's tables: see
``crawler.registry.works_source``), and from then on the detector asks the source for its
version at most once every ``check_every`` seconds, on the page being judged; only when the
version moved does it read the catalog again and rebuild its indexes.  The check is one tiny
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


class LiveWorks:
    """The current works and channels indexes of one detector, and when to look at its
    source again."""

    def __init__(
        self,
        source: WorksSource,
        build_works: Callable[[Sequence[WorkSpec]], NameIndex],
        build_channels: Callable[[Sequence[ChannelSpec]], NameIndex],
        check_every: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.build_works = build_works
        self.build_channels = build_channels
        self.check_every = max(0.0, check_every)
        self.clock = clock
        self.reloads = 0
        self.errors = 0
        self.channels: NameIndex | None = None
        self.version: Hashable = None
        self._load()  # at attach time a failure is the caller's to report
        self._next_check = clock() + self.check_every

    def _load(self) -> None:
        version, works, channels = self.source.catalog()
        index = self.build_works(works)
        self.channels = self.build_channels(channels) if channels is not None else None
        self.index, self.version = index, version
        logger.info("title_match: %d works, %s channels read from %s (version %s)", len(works),
                    "file" if channels is None else len(channels), self.source.describe(),
                    version)  # fmt: skip

    def current(self) -> NameIndex:
        """The works index to match against now: the catalog is reloaded first when the
        source's version moved (``channels`` then holds the new channels index)."""
        now = self.clock()
        if now < self._next_check:
            return self.index
        self._next_check = now + self.check_every
        try:
            if self.source.version() != self.version:
                self._load()
                self.reloads += 1
        except Exception as exc:  # keep matching with the catalog we have
            self.errors += 1
            logger.warning("title_match: cannot check the catalog in %s, keeping %d spellings: "
                           "%s", self.source.describe(), len(self.index), exc)  # fmt: skip
        return self.index
