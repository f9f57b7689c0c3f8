"""Exports of sites and domains: CSV, JSON Lines and STIX 2.1, read back by their own parsers."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import stix2
from click.testing import CliRunner
from sqlalchemy import insert

from crawler.alerts.db import open_engine
from crawler.cli import cli
from crawler.exports import rows, tabular
from crawler.registry import Registry
from crawler.registry.models import Domain, Site

SEEN = datetime(2026, 11, 20, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'registry.db'}"
    with Registry.open(url) as registry:
        registry.record_page_verdict(
            "pirate.to", "http://pirate.to/film?id=1'", 0.92, True, "index", "magnets", [],
            "1" * 64, SEEN, aliases=[("old-pirate.to", "redirect")],
        )  # fmt: skip
        registry.record_page_verdict(
            "tvexample.cc", "http://tvexample.cc/get.php?type=m3u_plus", 0.88, True, "iptv",
            "panel", [], "2" * 64, SEEN,
        )  # fmt: skip
        registry.record_page_verdict("legit.com", "http://legit.com/", 0.7, True, "streaming",
                                     "looked like it", [], "3" * 64, SEEN)  # fmt: skip
        registry.false_positive("legit.com", "analyst")
    return url


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", *args], env={"ISOP_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_has_a_row_per_domain_and_no_false_positive(registry_url: str) -> None:
    table = list(csv.DictReader(io.StringIO(run(registry_url, "csv"))))
    assert sorted(r["domain"] for r in table) == ["old-pirate.to", "pirate.to", "tvexample.cc"]
    pirate = next(r for r in table if r["domain"] == "pirate.to")
    assert (pirate["label"], pirate["kind"], pirate["domain_role"]) == ("pirate.to", "index",
                                                                        "primary")  # fmt: skip
    assert float(pirate["score"]) == pytest.approx(0.92)
    assert list(table[0]) == tabular.CSV_COLUMNS
    only_fp = list(csv.DictReader(io.StringIO(run(registry_url, "csv", "--status",
                                                  "false_positive"))))  # fmt: skip
    assert [r["domain"] for r in only_fp] == ["legit.com"]


def test_jsonl_has_a_site_per_line_with_its_domains(registry_url: str, tmp_path: Path) -> None:
    out = tmp_path / "sites.jsonl"
    run(registry_url, "jsonl", "--out", str(out))
    sites = [json.loads(line) for line in out.read_text().splitlines()]
    assert [s["label"] for s in sites] == ["pirate.to", "tvexample.cc"]
    assert {d["domain"]: d["how_linked"] for d in sites[0]["domains"]} == {
        "pirate.to": "discovered", "old-pirate.to": "redirect",
    }  # fmt: skip
    assert not list(tmp_path.glob(".sites.jsonl.*"))  # no temporary file left behind


def test_stix_bundle_parses_back_with_stix2(registry_url: str) -> None:
    text = run(registry_url, "stix")
    bundle = stix2.parse(text, allow_custom=False)
    objects = {o.id: o for o in bundle.objects}
    types = Counter(o.type for o in bundle.objects)
    assert types == {"identity": 1, "infrastructure": 2, "domain-name": 3, "indicator": 3,
                     "url": 2, "relationship": 8}  # fmt: skip
    patterns = sorted(o.pattern for o in bundle.objects if o.type == "indicator")
    assert patterns == ["[domain-name:value = 'old-pirate.to']",
                        "[domain-name:value = 'pirate.to']",
                        "[domain-name:value = 'tvexample.cc']"]  # fmt: skip
    for rel in (o for o in bundle.objects if o.type == "relationship"):
        assert rel.source_ref in objects and rel.target_ref in objects
    infra = next(o for o in bundle.objects if o.type == "infrastructure" and o.name == "pirate.to")
    parts = {objects[r.target_ref].value for r in bundle.objects
             if r.type == "relationship" and r.source_ref == infra.id}  # fmt: skip
    assert parts == {"pirate.to", "old-pirate.to", "http://pirate.to/film?id=1'"}
    again = stix2.parse(run(registry_url, "stix"), allow_custom=False)
    # Same registry, same objects (ids, created, modified): a re-export is no new version.
    assert {o.id: o.serialize(sort_keys=True) for o in again.objects} == {
        i: o.serialize(sort_keys=True) for i, o in objects.items()
    }
    assert infra.created == infra.first_seen == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_export_streams(tmp_path: Path) -> None:
    """Exporting holds one batch, not the registry: far less memory than the list of sites."""
    engine = open_engine(f"sqlite:///{tmp_path / 'big.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(insert(Site), [
                {"id": i, "label": f"site{i}.to", "kind": "index", "status": "confirmed",
                 "score": 0.9, "max_score": 0.9, "first_seen": SEEN, "last_seen": SEEN}
                for i in range(1, 3001)
            ])  # fmt: skip
            conn.execute(insert(Domain), [
                {"domain": f"site{i}.to", "site_id": i, "role": "primary",
                 "how_linked": "discovered", "first_seen": SEEN, "last_seen": SEEN}
                for i in range(1, 3001)
            ])  # fmt: skip
        tracemalloc.start()
        everything = list(rows.sites(engine))
        listed = tracemalloc.get_traced_memory()[1]
        del everything
        tracemalloc.stop()
        tracemalloc.start()
        count = tabular.write_jsonl(rows.sites(engine), _Discard())
        streamed = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == 3000
        assert streamed < listed / 3, (streamed, listed)
    finally:
        engine.dispose()


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)
