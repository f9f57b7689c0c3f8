"""Exports carry what the spiders observed: CSV count columns, a JSON Lines summary, and in
STIX the Xtream panels (infrastructure + url + host), stream hosts and magnets of each site
with a note, validated by ``stix2``; hostile hosts never become observables; the API's
exports agree and stay scoped."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stix2
from click.testing import CliRunner
from test_api_support import HOSTILE, World, world_fixture

from crawler.cli import cli
from crawler.exports.observed import COUNT_COLUMNS
from crawler.facts.record import Observation
from crawler.registry import Registry
from crawler.registry.observations import upsert

SEEN = datetime(2026, 11, 20, 8, tzinfo=UTC)
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
world = world_fixture()


def _seen(domain: str, kind: str, key: str, facts: dict[str, Any], infringing: bool = False,
          url: str | None = None, at: datetime = SEEN) -> Observation:  # fmt: skip
    return Observation(domain, kind, key, url or f"http://{domain}/{key}", at, facts,
                       0.9 if infringing else 0.1, infringing)  # fmt: skip


def _observations(pirate: str, iptv: str) -> list[Observation]:
    return [
        _seen(pirate, "listing", f"btih:{HASH}", {"title": "Dune.Part.Two.2024.1080p",
              "infohashes": [HASH], "seeders": 321}, True),
        _seen(pirate, "hls", "hls:1", {"host": "cdn1.stream.example", "live": True,
              "segment_hosts": ["203.0.113.9", HOSTILE]}),
        _seen(pirate, "dash", "dash:1", {"host": "cdn1.stream.example", "live": False,
              "drm": ["cenc", "widevine"], "licensed_drm": True}),
        _seen(iptv, "panel", "panel:1", {"base": "http://line.panel.example:8080",
              "credential": "cred-0123456789abcdef", "status": "Active", "categories": 12},
              True, at=SEEN + timedelta(hours=2)),
        _seen(iptv, "panel", "panel:2", {"base": f"javascript:alert(1)//{HOSTILE}",
              "credential": "cred-x"}),
        _seen("unowned.example", "listing", "btih:2", {"infohashes": ["ab" * 20]}),
    ]  # fmt: skip


def _fill(url: str) -> str:
    with Registry.open(url) as registry:
        registry.record_page_verdict("pirate.to", "http://pirate.to/", 0.92, True, "index",
                                     "magnets", [], "1" * 64, SEEN)  # fmt: skip
        registry.record_page_verdict("tvexample.cc", "http://tvexample.cc/", 0.88, True, "iptv",
                                     "panel", [], "2" * 64, SEEN)  # fmt: skip
        registry.record_page_verdict("quiet.to", "http://quiet.to/", 0.9, True, "index", "x",
                                     [], "3" * 64, SEEN)  # fmt: skip
        registry.write(lambda s: upsert(s, _observations("pirate.to", "tvexample.cc")))
    return url


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _fill(f"sqlite:///{tmp_path_factory.mktemp('export') / 'registry.db'}")


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", *args], env={"ISOP_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_counts_what_was_observed(exported: str) -> None:
    table = {r["domain"]: r for r in csv.DictReader(io.StringIO(run(exported, "csv")))}
    assert list(next(iter(table.values())))[-len(COUNT_COLUMNS):] == COUNT_COLUMNS
    pirate, iptv, quiet = table["pirate.to"], table["tvexample.cc"], table["quiet.to"]
    assert (pirate["observed_listing"], pirate["observed_hls"], pirate["observed_dash"],
            pirate["observed_flagged"]) == ("1", "1", "1", "1")  # fmt: skip
    assert (iptv["observed_panel"], iptv["observed_flagged"]) == ("2", "1")
    assert {quiet[c] for c in COUNT_COLUMNS} == {"0"}


def test_jsonl_carries_a_summary_per_site(exported: str) -> None:
    sites = {s["label"]: s for s in map(json.loads, run(exported, "jsonl").splitlines())}
    pirate = sites["pirate.to"]["observations"]
    assert pirate["counts"] == {"listing": 1, "hls": 1, "dash": 1}
    assert pirate["releases"][0]["infohash"] == HASH and pirate["releases"][0]["seeders"] == 321
    assert pirate["manifests"][0]["licensed_drm"]  # licensed DRM first
    panels = sites["tvexample.cc"]["observations"]["panels"]
    assert "cred-0123456789abcdef" in [p["credential"] for p in panels]
    assert sites["quiet.to"]["observations"]["counts"] == {}
    assert "unowned.example" not in json.dumps(sites)  # no site owns it: not exported


def test_stix_panels_hosts_and_magnets_validate_and_relate(exported: str) -> None:
    text = run(exported, "stix")
    bundle = stix2.parse(text, allow_custom=False)
    objects = {o.id: o for o in bundle.objects}
    types = Counter(o.type for o in bundle.objects)
    assert types["note"] == 2 and types["ipv4-addr"] == 1  # quiet.to observed nothing
    for rel in (o for o in bundle.objects if o.type == "relationship"):
        assert rel.source_ref in objects and rel.target_ref in objects
    infra = {o.name: o for o in bundle.objects if o.type == "infrastructure"}
    panel = infra["Xtream-Codes panel line.panel.example"]

    def targets(source: str, relation: str) -> set[str]:
        found = (objects[r.target_ref] for r in bundle.objects if r.type == "relationship"
                 and r.source_ref == source and r.relationship_type == relation)  # fmt: skip
        return {getattr(o, "value", None) or o.name for o in found}

    assert targets(infra["tvexample.cc"].id, "uses") == {panel.name}
    assert targets(panel.id, "consists-of") == {"http://line.panel.example:8080",
                                                "line.panel.example"}  # fmt: skip
    assert targets(infra["pirate.to"].id, "communicates-with") == {"cdn1.stream.example",
                                                                  "203.0.113.9"}  # fmt: skip
    note = next(o for o in bundle.objects if o.type == "note" and infra["pirate.to"].id
                in o.object_refs)  # fmt: skip
    magnet = f"magnet:?xt=urn:btih:{HASH}"
    assert [objects[r].value for r in note.object_refs[1:]] == [magnet]
    assert "Dune.Part.Two.2024.1080p" in note.content and "licensed DRM" in note.content
    assert panel.modified == SEEN + timedelta(hours=2)  # the latest sighting
    assert HOSTILE not in text and "javascript:" not in text and "cred-" not in text
    again = stix2.parse(run(exported, "stix"), allow_custom=False)
    assert {o.id: o.serialize(sort_keys=True) for o in again.objects} == {
        i: o.serialize(sort_keys=True) for i, o in objects.items()
    }  # a re-export is no new version


def test_api_exports_carry_observations_scoped(world: World) -> None:
    with world.db.writing() as session:
        upsert(session, _observations("streamfr.example", "kinode.example"))
    fr = world.client("coordinator_fr").get("/api/v1/exports/sites.jsonl")
    assert fr.status_code == 200, fr.text
    sites = {s["label"]: s for s in map(json.loads, fr.text.splitlines())}
    assert sites["streamfr.example"]["observations"]["counts"]["listing"] == 1
    assert "kinode.example" not in sites and "line.panel.example" not in fr.text  # DE's panel
    everyone = world.client("coordinator").get("/api/v1/exports/sites.csv").text
    rows = {r["domain"]: r for r in csv.DictReader(io.StringIO(everyone))}
    assert rows["kinode.example"]["observed_panel"] == "2"
    assert rows["kinode-old.example"]["observed_panel"] == "2"  # the site's, on each row
    stix = world.client("coordinator").get("/api/v1/exports/sites.stix").text
    assert "Xtream-Codes panel line.panel.example" in stix
    stix2.parse(stix, allow_custom=False)


def test_batched_summaries_match_the_site_detail(registry_url: str) -> None:
    """The exports' one-query summaries (a window function) agree with the per-site one of
    the site page, on SQLite and PostgreSQL."""
    from crawler.registry.observed import summaries, summarize

    _fill(registry_url)
    sites = [["pirate.to"], ["tvexample.cc", "old-tv.cc"], ["quiet.to"]]
    with Registry.open(registry_url) as registry, registry.reading() as session:
        each = [summarize(session, domains) for domains in sites]
        batched = summaries(session, sites, [s.counts for s in each], [s.flagged for s in each])
    assert [s.to_json() for s in batched] == [s.to_json() for s in each]
    assert batched[0].releases and batched[1].panels and batched[2].empty
