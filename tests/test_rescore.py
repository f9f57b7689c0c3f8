"""``isop rescore``: WARC evidence re-judged by today's detectors, registry rows re-fused."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.cli import cli
from crawler.config import load_config
from crawler.registry import Registry
from crawler.rescore import rescore_sites
from detectors.config import load_config as load_detectors
from detectors.pipeline import DetectionPipeline

LABELLED = Path(__file__).resolve().parent / "fixtures" / "labelled"


def _warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body, ctype in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               length=len(body), http_headers=headers)  # fmt: skip
            writer.write_record(record)


def _flag(registry: Registry, domain: str, url: str, kind: str, signals: list[dict]) -> None:
    registry.record_page_verdict(
        domain=domain, url=url, score=0.97, infringing=True, kind=kind, explanation="old",
        signals=signals, content_sha256=hashlib.sha256(url.encode()).hexdigest(),
        seen_at=datetime(2024, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def test_rescore_reports_changed_sites(tmp_path: Path) -> None:
    config = load_config(None, {"ISOP_DATA_DIR": str(tmp_path)})
    pirate = (LABELLED / "tune_es_torrent.html").read_bytes()
    legit = (LABELLED / "tune_linux_torrents.html").read_bytes()
    with Registry.open(config.database_url) as registry:
        # was flagged, its captured pages are clean by today's rules -> changed
        _flag(registry, "fedora-mirror.example", "https://fedora-mirror.example/", "index",
              [{"detector": "page_structure", "name": "magnet_links", "score": 1.0,
                "evidence": "old rule"}])  # fmt: skip
        # flagged, no WARC: re-fused from its stored signals
        _flag(registry, "oldsite.example", "https://oldsite.example/", "streaming",
              [{"detector": "page_structure", "name": "video_host_embed", "score": 1.0,
                "evidence": "x"}, {"detector": "page_structure", "name": "server_list",
                "score": 1.0, "evidence": "y"}])  # fmt: skip
    _warc(tmp_path / "evidence" / "2024" / "a.warc.gz", [
        ("https://fedora-mirror.example/", legit, "text/html"),
        ("https://www.mejortorrent.to/peliculas", pirate, "text/html; charset=utf-8"),
        # a matched poster's capture, hosted on a CDN: evidence of a match, not a page
        ("https://img.cdn-host.example/p/dune.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
    ])  # fmt: skip
    (tmp_path / "evidence" / "broken.warc.gz").write_bytes(b"not a warc at all")
    warnings: list[tuple[str, str]] = []
    pipeline = DetectionPipeline.from_config()
    result = rescore_sites(config, pipeline, warn=lambda what, why: warnings.append((what, why)))
    by_site = {change.site: change for change in result.sites}
    assert result.warc_records == 3 and result.registry_rows == 1
    assert result.image_records == 1 and result.unreadable == 0
    assert "cdn-host.example" not in by_site
    assert any("broken.warc.gz" in what for what, _ in warnings)
    fedora = by_site["fedora-mirror.example"]
    assert fedora.changed and fedora.before_status == "confirmed" and not fedora.after.flagged
    new = by_site["mejortorrent.to"]
    assert new.changed and new.before_status is None and new.after.kind == "index"
    assert new.after.evidence[0].url == "https://www.mejortorrent.to/peliculas"
    old = by_site["oldsite.example"]
    assert old.source == "registry" and old.after.flagged and not old.changed
    # An analyst zeroes the embed and server-list weights: the stored evidence no longer holds.
    raw = load_detectors().model_dump()
    raw["fusion"]["overrides"] = {"page_structure.video_host_embed": 0.0,
                                  "page_structure.server_list": 0.0}  # fmt: skip
    tuned = rescore_sites(config, DetectionPipeline.from_config(raw))
    assert {c.site for c in tuned.changes} == {"fedora-mirror.example", "mejortorrent.to",
                                               "oldsite.example"}  # fmt: skip


def test_rescore_command_json(tmp_path: Path) -> None:
    _warc(tmp_path / "evidence" / "b.warc", [
        ("https://atlasprotv.example/", (LABELLED / "tune_fr_iptv_shop.html").read_bytes(),
         "text/html"),
    ])  # fmt: skip
    result = CliRunner(env={"ISOP_DATA_DIR": str(tmp_path)}).invoke(cli, ["rescore", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["site"] == "atlasprotv.example" and lines[0]["changed"]
    assert lines[0]["after"]["kind"] == "iptv" and lines[0]["after"]["status"] == "confirmed"
    assert lines[-1]["summary"]["changed"] == 1
