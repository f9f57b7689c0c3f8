"""A running crawler's title detector reads the registry's works and follows the analysts'
edits made through the API after it started, without a restart; it asks the registry at
most every ``works.check_interval`` seconds, and a failing check keeps the works it has."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from test_api_support import World, build_world

from crawler.config import load_config
from crawler.extensions.works import LiveWorksExtension
from detectors.base import Content
from detectors.title.catalog import ChannelSpec, NameIndex, WorkSpec, channels_index, works_index
from detectors.title.live import LiveWorks

ROBOT = {"title": "The Wild Robot", "year": 2024, "owner": "DreamWorks",
         "aliases": ["Le Robot sauvage"]}  # fmt: skip


def _page(heading: str) -> Content:
    body = (f"<html><head><title>Nonton {heading} sub indo gratis</title></head>"
            f"<body><h1>{heading}</h1></body></html>").encode()  # fmt: skip
    return Content(url="http://films.example/x", kind="html", body=body, content_type="text/html")


def _named(detector: object, heading: str) -> list[str]:
    return [s.evidence for s in detector.detect(_page(heading))]  # type: ignore[attr-defined]


def _reloaded(detector: Any) -> None:
    """Let the background check see the last write: the crawler judges a page meanwhile."""
    assert detector.live.settled(10)  # a check started before the write is not enough
    detector.detect(_page("nothing protected here"))  # due (interval 0): starts a check
    assert detector.live.settled(10)


def _channels(detector: object, *names: str) -> list[str]:
    body = "#EXTM3U\n" + "".join(f"#EXTINF:-1,{n}\nhttp://line.example/{i}.ts\n"
                                 for i, n in enumerate(names))  # fmt: skip
    content = Content(url="http://line.example/get.php", kind="playlist", body=body.encode(),
                      content_type="audio/x-mpegurl")  # fmt: skip
    return [s.evidence for s in detector.detect(content)  # type: ignore[attr-defined]
            if s.name == "protected_channels"]  # fmt: skip


def _extension(url: str, tmp: Path, **works: object) -> LiveWorksExtension:
    config = load_config(environ={"ISOP_DATA_DIR": str(tmp)})
    config = config.with_overrides(database={"url": url}, works=works)
    return LiveWorksExtension.from_crawler(get_crawler(settings_dict={"ISOP_CONFIG": config}))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("works-live"))
    try:
        yield built
    finally:
        built.db.close()


def test_a_running_detector_follows_the_works_edited_through_the_api(
    world: World, tmp_path: Path
) -> None:
    url = str(world.db.engine.url)
    extension = _extension(url, tmp_path, check_interval=0)  # check before every page
    [detector] = extension.detectors
    assert detector.live is not None
    # Seeded from the shipped YAML at start: its works match, from the registry.
    assert any("'Dune: Part Two' (2024" in e for e in _named(detector, "Dune: Part Two (2024)"))
    assert _named(detector, "Le Robot sauvage (2024)") == []

    analyst = world.client("analyst")
    added = analyst.post("/api/v1/catalog/works", json=ROBOT)
    assert added.status_code == 201, added.text
    work_id = added.json()["work"]["id"]
    _reloaded(detector)
    assert any("'The Wild Robot' (2024" in e for e in _named(detector, "Le Robot sauvage (2024)"))

    edited = analyst.patch(f"/api/v1/catalog/works/{work_id}",
                           json={"aliases": ["Robô Selvagem"]})  # fmt: skip
    assert edited.status_code == 200 and edited.json()["changed"] is True
    _reloaded(detector)
    assert _named(detector, "Le Robot sauvage (2024)") == []
    assert any("Wild Robot" in e for e in _named(detector, "Robô Selvagem (2024)"))

    assert analyst.delete(f"/api/v1/catalog/works/{work_id}").status_code == 200
    _reloaded(detector)
    assert _named(detector, "Robô Selvagem (2024)") == []

    # Channels too: seeded from channels.yaml, then one added and one removed live.
    assert _channels(detector, "UK: SKY SPORTS F1 FHD") != []
    assert _channels(detector, "FR: TELEFOOT LA CHAINE HD") == []
    added = analyst.post("/api/v1/catalog/channels",
                         json={"name": "Téléfoot La Chaîne", "owner": "Mediapro"})  # fmt: skip
    assert added.status_code == 201, added.text
    _reloaded(detector)
    assert any("Téléfoot" in e for e in _channels(detector, "FR: TELEFOOT LA CHAINE HD"))
    listed = analyst.get("/api/v1/catalog/channels", params={"q": "sky sports f1"}).json()
    [f1] = listed["items"]
    assert analyst.delete(f"/api/v1/catalog/channels/{f1['id']}").status_code == 200
    _reloaded(detector)
    assert _channels(detector, "UK: SKY SPORTS F1 FHD") == []
    assert detector.live.reloads == 5 and detector.live.errors == 0

    extension.spider_closed()
    stats = extension.crawler.stats
    assert stats is not None and stats.get_value("isop/works/reloads") == 5


def test_works_from_the_file_when_configured_so(world: World, tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match=r"works\.source"):
        _extension(str(world.db.engine.url), tmp_path, source="file")


class _Source:
    """A versioned list of works in memory (pure logic: counts how often it is asked)."""

    def __init__(self) -> None:
        self.current = 1
        self.asked = 0
        self.fail = False
        self.titles = ["Flow"]

    def version(self) -> Hashable:
        self.asked += 1
        if self.fail:
            raise ConnectionError("database restarting")
        return self.current

    def catalog(self) -> tuple[Hashable, Sequence[WorkSpec], Sequence[ChannelSpec] | None]:
        return self.current, [WorkSpec(title=t, year=2024) for t in self.titles], None

    def describe(self) -> str:
        return "memory"


def test_the_version_is_checked_at_most_every_interval_and_failures_keep_the_works() -> None:
    now = [100.0]
    source = _Source()
    live = LiveWorks(source, works_index, channels_index, check_every=10, clock=lambda: now[0])
    assert live.channels is None  # the source has no channels: the detector keeps its file's

    def titles(index: NameIndex) -> set[str]:
        return {entry.label for entry in index.entries}

    for _ in range(50):  # many pages within the interval: no query at all
        assert titles(live.current()) == {"Flow"}
    assert source.asked == 0
    source.titles, source.current = ["Flow", "Memoir of a Snail"], 2
    now[0] += 9.9
    assert titles(live.current()) == {"Flow"} and source.asked == 0
    now[0] += 0.2
    assert titles(live.current()) == {"Flow", "Memoir of a Snail"}
    assert (source.asked, live.reloads) == (1, 1)
    now[0] += 10
    live.current()  # same version: asked, not reloaded
    assert (source.asked, live.reloads) == (2, 1)

    source.fail, source.titles, source.current = True, [], 3
    now[0] += 10
    assert titles(live.current()) == {"Flow", "Memoir of a Snail"}  # kept
    assert live.errors == 1
    live.current()  # no retry before the interval
    assert source.asked == 3
    source.fail = False
    now[0] += 10
    assert titles(live.current()) == set() and live.reloads == 2


def test_in_the_background_a_hung_database_never_holds_up_the_pages() -> None:
    """A crawler's checks run in a thread: while the source hangs, pages are matched at once
    against the works they had; the new works are swapped in once the check returns."""
    source = _Source()
    release = threading.Event()
    hung_version = source.version

    def hanging() -> Hashable:
        release.wait(10)
        return hung_version()

    source.version = hanging  # type: ignore[method-assign]
    live = LiveWorks(source, works_index, channels_index, check_every=0, background=True)
    source.titles, source.current = ["Flow", "Memoir of a Snail"], 2
    for _ in range(20):  # the first starts the check, the others find it in flight
        assert {e.label for e in live.current().entries} == {"Flow"}
    assert not live.settled(0.05) and source.asked == 0  # still waiting for the database
    release.set()
    assert live.settled(10) and source.asked == 1
    assert {e.label for e in live.current().entries} == {"Flow", "Memoir of a Snail"}
    assert live.reloads == 1 and live.errors == 0
