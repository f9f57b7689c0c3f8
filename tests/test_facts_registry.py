"""FactsPipeline against a real registry (SQLite and PostgreSQL): typed items judged and
upserted as observations by natural key (a second crawl updates, never duplicates), flagged
ones stored as evidence on their site; hostile items counted and passed on; the summary that
``isop sites show`` and the API's site detail print."""

from __future__ import annotations

import asyncio
import functools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from stats_helpers import Stats
from test_api_support import World, world_fixture
from test_facts import DUNE, HASH, M3U, listing_item

from crawler.cli import cli
from crawler.extract.magnet import Magnet
from crawler.extract.playlist import parse_playlist
from crawler.facts.record import observe
from crawler.items import ListingItem, PlaylistItem
from crawler.pipelines.facts import FactsPipeline
from crawler.registry import Registry
from crawler.registry.observations import ObservationRow, upsert
from crawler.safety.credentials import Redactor
from detectors.pipeline import DetectionPipeline

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
world = world_fixture()


@functools.cache
def shared_detection() -> DetectionPipeline:
    """One detector stack for every test that stores typed items (building one takes ~1 s)."""
    return DetectionPipeline.from_config()


@pytest.fixture(scope="module")
def detection() -> DetectionPipeline:
    return shared_detection()


def crawl(url: str, detection: DetectionPipeline, items: list[Any], batch_size: int = 4) -> Stats:
    """One crawl's typed items through the pipeline, as Scrapy would hand them over."""
    stats = Stats()
    pipeline = FactsPipeline(Registry.open(url), stats, detection, batch_size, flush_s=0.01)

    async def run() -> list[Any]:
        out = await asyncio.gather(*(pipeline.process_item(item) for item in items))
        await pipeline.close_spider()
        return out

    assert asyncio.run(run()) == items  # every item passes on, judged or not
    return stats


def items_at(when: datetime, seeders: int) -> list[Any]:
    other = "Iron.Meridian.2024.1080p.WEB-DL.x264-HDKRAKEN"
    info = parse_playlist(M3U, Redactor(b"s"))
    playlist = PlaylistItem(url="http://lists.example/a.m3u", domain="lists.example",
                            fetched_at=when, playlist=info)  # fmt: skip
    return [
        replace(listing_item(seeders=seeders), fetched_at=when),
        replace(listing_item(other, (Magnet("ab" * 20, other),), seeders=10), fetched_at=when),
        replace(listing_item(magnets=()), fetched_at=when, url="http://flixtorrent.to/"),
        playlist,
    ]


def rows(url: str) -> list[ObservationRow]:
    with Registry.open(url) as registry, registry.reading() as session:
        return list(session.scalars(select(ObservationRow).order_by(ObservationRow.key)))


def test_observations_are_keyed_and_a_second_crawl_updates_them(
    registry_url: str, detection: DetectionPipeline
) -> None:
    first = crawl(registry_url, detection, items_at(T0, seeders=120))
    assert first.values["isop/facts/evaluated/listing"] == 3
    assert first.values["isop/facts/flagged/listing"] == 1  # Dune with its magnet
    assert first.values["isop/facts/flagged/playlist"] == 1
    stored = rows(registry_url)
    keys = [(r.domain, r.kind, r.key) for r in stored]
    assert keys == [("flixtorrent.to", "listing", f"btih:{'ab' * 20}"),
                    ("flixtorrent.to", "listing", f"btih:{HASH}"),
                    ("lists.example", "playlist", "playlist:http://lists.example/a.m3u"),
                    ("flixtorrent.to", "listing", f"release:{DUNE.lower()}")]  # fmt: skip
    dune = stored[1]
    assert dune.infringing and dune.score is not None and dune.facts["seeders"] == 120
    assert "title_match.protected_release" in dune.facts["signals"]
    assert not stored[0].infringing  # Iron Meridian is no catalog work
    assert not stored[3].infringing  # a protected release's name, but no link to it

    later = T0 + timedelta(days=1)
    crawl(registry_url, detection, items_at(later, seeders=300))
    again = rows(registry_url)
    assert [(r.domain, r.kind, r.key) for r in again] == keys  # no duplicate
    dune = again[1]
    assert dune.times_seen == 2 and dune.first_seen == T0 and dune.last_seen == later
    assert dune.facts["seeders"] == 300  # the later visit's facts

    crawl(registry_url, detection, items_at(T0 - timedelta(days=5), seeders=1))  # late arrival
    dune = rows(registry_url)[1]
    assert dune.first_seen == T0 - timedelta(days=5) and dune.last_seen == later
    assert dune.facts["seeders"] == 300 and dune.times_seen == 3  # older facts don't win

    with Registry.open(registry_url) as registry:
        site = registry.site_by_domain("flixtorrent.to")
        assert site is not None  # a flagged release made the site, as a flagged page would
        evidence = registry.evidence(site.id)
        # One row for three visits: the seeders moved, the release and its signals did not.
        assert [e.url for e in evidence] == ["http://flixtorrent.to/browse/2"]
        assert {s["detector"] for s in evidence[0].signals} == {"title_match", "listing_links"}

        assert registry.site_by_domain("lists.example") is not None


def test_hostile_items_are_counted_and_passed_on(tmp_path: Path,
                                                 detection: DetectionPipeline) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    good = listing_item()
    broken = [
        ListingItem(url="http://x.to/", domain="x.to", fetched_at=T0, listing=None),  # type: ignore[arg-type]
        replace(listing_item(), fetched_at=datetime(2026, 1, 1)),  # naive
        replace(listing_item(), domain=""),
        replace(listing_item(), url="http://x.to/" + "\x00" * 10 + "a" * 100_000),
    ]
    stats = crawl(url, detection, [*broken, good])
    assert stats.values["isop/facts/errors/listing"] == 4
    assert [r.key for r in rows(url)] == [f"btih:{HASH}"]  # the good one only
    assert stats.values["isop/facts/writes/flag"] == 1


def test_sites_show_summarises_observations(tmp_path: Path,
                                           detection: DetectionPipeline) -> None:  # fmt: skip
    url = f"sqlite:///{tmp_path / 'r.db'}"
    crawl(url, detection, items_at(T0, seeders=120))
    env = {"ISOP_DATABASE_URL": url, "COLUMNS": "200"}
    shown = CliRunner().invoke(cli, ["sites", "show", "flixtorrent.to", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    observed = json.loads(shown.output)["observations"]
    assert observed["counts"] == {"listing": 3} and observed["flagged"] == {"listing": 1}
    assert observed["releases"][0] == {"title": DUNE, "infohash": HASH, "seeders": 120,
                                       "score": observed["releases"][0]["score"]}  # fmt: skip
    # One release, listed with its magnet and without: counted once.
    assert observed["works"] == [{"work": "Dune (2024)", "releases": 1}]
    table = CliRunner().invoke(cli, ["sites", "show", "flixtorrent.to"], env=env)
    assert table.exit_code == 0 and f"btih {HASH}, 120 seeders" in table.output
    assert "listing 3 (1 flagged)" in table.output


def test_api_site_detail_carries_the_observations_of_its_domains(world: World) -> None:
    with world.db.writing() as session:
        upsert(session, [observe(replace(listing_item(), domain="streamfr.example",
                                         url="http://streamfr.example/films"))])  # fmt: skip
    detail = world.client("analyst_fr").get(f"/api/v1/sites/{world.sites['fr']}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["observations"]["counts"] == {"listing": 1}
    other = world.client("viewer").get(f"/api/v1/sites/{world.sites['untagged']}").json()
    assert other["observations"]["counts"] == {}
    hidden = world.client("viewer_de").get(f"/api/v1/sites/{world.sites['fr']}")
    assert hidden.status_code == 404  # scoped like the site


def test_concurrent_writers_count_every_sighting_once(registry_url: str) -> None:
    """Two writers (a fleet's processes) upsert the same releases at once, in opposite
    orders: one row per key, every sighting counted, nothing lost to a lock or a race."""
    from concurrent.futures import ThreadPoolExecutor

    from crawler.registry import observations

    base = [observe(replace(listing_item(magnets=(Magnet(f"{n:040x}", DUNE),)),
                            fetched_at=T0 + timedelta(minutes=n))) for n in range(40)]  # fmt: skip
    Registry.open(registry_url).close()  # migrate once, before the writers race

    def writer(order: int) -> None:
        with Registry.open(registry_url) as registry:
            for _ in range(3):
                batch = base if order else base[::-1]
                observations.write(registry, [{"observation": o} for o in batch])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(writer, (0, 1)))
    stored = rows(registry_url)
    assert len(stored) == 40 and {r.times_seen for r in stored} == {6}
