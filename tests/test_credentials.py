"""Credential hygiene around a sandbox IPTV line: the frontier's and Scrapy's log lines
(tracebacks included) never print it, every item's URLs are redacted once and stably (the
salted hash survives a second pass), and after the pipelines the registry, the case file's
manifest and report and the CSV/JSONL/STIX exports show only the redacted form, while the
WARC keeps the body as fetched."""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request
from scrapy.logformatter import LogFormatter
from scrapy.utils.test import get_crawler
from spider_replay import make_spider, of_type, run
from test_evidence_chain import Stats
from test_facts_registry import crawl, shared_detection
from twisted.internet.error import TimeoutError
from warcio.archiveiterator import ArchiveIterator

from crawler.alerts.db import open_engine
from crawler.config import load_config
from crawler.evidence.warc import WarcStore
from crawler.extract.players import MediaSource, PlayerPage
from crawler.extract.replay import response_for
from crawler.frontier import codec
from crawler.items import PageItem, PlayerItem
from crawler.pipelines.evidence import EvidencePipeline
from crawler.pipelines.registry import _verdict_kwargs
from crawler.registry import Registry
from crawler.safety.credentials import RedactingFilter, Redactor
from crawler.safety.redact import RedactPipeline
from crawler.sandbox import build_web
from crawler.sandbox.xtream import panel_lines
from spiders.discovery import DiscoverySpider
from spiders.iptv import IptvSpider

LINE = panel_lines(1, "primeplus-panel")[0]
PANEL = "http://line.primeplus-panel.cc:8080"
GET = f"{PANEL}/get.php?username={LINE.username}&password={LINE.password}&type=m3u_plus"
LIVE = f"{PANEL}/live/{LINE.username}/{LINE.password}/8425.ts"


def _clear(text: str) -> list[str]:
    return [s for s in (LINE.username, LINE.password) if s in text]


def test_frontier_and_scrapy_log_lines_and_tracebacks_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(Redactor(b"salt")))
    logger = logging.getLogger("test_credentials")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        request = Request(GET, meta={"isop_credential": "cred-0", "found_on": "x"})
        entry = codec.dumps(request.to_dict())  # what Redis holds: in clear, by necessity
        assert LINE.password in entry
        # crawler.frontier.dedup, .scheduler (not queued, dead letters), Scrapy's own lines
        logger.debug("Filtered duplicate request: %(request)s", {"request": request})
        logger.error("Request not queued, cannot be stored as JSON: %s (%s)", request, "x")
        logger.error("Frontier entry set aside in dead letters (%s): %.200s", "bad", entry)
        crawled = LogFormatter().crawled(Request(LIVE, headers={"Referer": GET}),
                                         response_for(build_web(seed=1), GET), None)  # type: ignore[arg-type]
        logger.info(crawled["msg"], crawled["args"])
        try:  # Scrapy's download timeout names the URL in its message
            raise TimeoutError(f"Getting {LIVE} took longer than 20.0 seconds.")
        except TimeoutError:
            logger.exception("Error downloading %(request)s", {"request": Request(LIVE)})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "took longer than" in text and "Traceback" in text
    assert text.count("cred-") >= 6
    assert _clear(text) == []


def test_items_are_redacted_once_and_the_hash_is_stable(tmp_path: Path) -> None:
    config = load_config(environ={}).with_overrides(safety={"credential_salt": "test-salt"})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config.model_copy(
        update={"data_dir": tmp_path})})  # fmt: skip
    pipeline = RedactPipeline.from_crawler(crawler)
    redactor = Redactor(b"test-salt")
    hashed = redactor.redact_url(GET)
    assert redactor.redact_url(hashed.url) == hashed  # a second pass changes nothing
    source = MediaSource(f"{PANEL}/live/{LINE.username}/{LINE.password}/1.m3u8", "x", "hls",
                         "tag")  # fmt: skip
    player = PlayerItem(url=GET, domain="primeplus-panel.cc", fetched_at=crawler_time(),
                        player=PlayerPage("t", (), (source,), (), (), (), (), ()))
    pipeline.process_item(player)
    assert _clear(repr(player)) == [] and hashed.credential in player.url
    assert hashed.credential in player.player.sources[0].url
    assert crawler.stats.get_value("isop/safety/credentials_redacted/PlayerItem") == 2


def crawler_time():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sandbox line's playlist and panel answer, fetched by the iptv spider and by a
    spider that does not redact (discovery), through the redaction, evidence and registry
    steps of a crawl."""
    data = tmp_path_factory.mktemp("data")
    web = build_web(seed=1)
    iptv = make_spider(IptvSpider, data)
    discovery = make_spider(DiscoverySpider, data)
    pages: list[PageItem] = []
    for url in (GET, f"{PANEL}/player_api.php?username={LINE.username}&password={LINE.password}"):
        pages += of_type(list(iptv.parse(response_for(web, url))), "PageItem")
    pages += of_type(list(discovery.parse(response_for(web, GET + "&output=ts"))), "PageItem")
    assert LINE.password in pages[-1].url  # the discovery spider leaves it to the pipeline
    redact = RedactPipeline.from_crawler(discovery.crawler)
    engine = open_engine(f"sqlite:///{data / 'registry.db'}")
    evidence = EvidencePipeline(engine, WarcStore(data / "evidence", 10_000_000, "test"),
                                Stats())  # fmt: skip
    with Registry.open(f"sqlite:///{data / 'registry.db'}") as registry:
        for page in pages:
            redact.process_item(page)
            assert page.verdict is not None and page.verdict.infringing, page.url
            evidence.capture(page)
            registry.record_page_verdict(**_verdict_kwargs(page))
    evidence.close_spider()
    engine.dispose()
    # The line's typed items (playlists, guide, panel) stored as observations, as a crawl's
    # FactsPipeline stores them: the exports carry them, redacted.
    typed = [i for i in run(web, make_spider(IptvSpider, data), [GET], max_pages=10)
             if type(i).__name__ in ("PlaylistItem", "PanelItem", "GuideItem")]  # fmt: skip
    assert {type(i).__name__ for i in typed} == {"PlaylistItem", "PanelItem", "GuideItem"}
    crawl(f"sqlite:///{data / 'registry.db'}", shared_detection(), typed)
    return data


def _isop(data: Path, *args: str) -> str:
    from crawler.cli import cli

    env = {k: None for k in os.environ if k.startswith("ISOP_")}
    result = CliRunner().invoke(cli, list(args), env={**env, "ISOP_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_registry_case_file_and_exports_show_only_the_redacted_line(stored: Path,
                                                                    tmp_path: Path) -> None:
    with sqlite3.connect(stored / "registry.db") as db:
        dump = "\n".join(db.iterdump())
    assert "cred-" in dump and _clear(dump) == []  # the console and the API read this
    out = tmp_path / "case"
    _isop(stored, "evidence", "export", "primeplus-panel.cc", "--out", str(out))
    manifest = (out / "manifest.json").read_text()
    report = (out / "report.html").read_text()
    assert len(json.loads(manifest)["captures"]) == 3
    for shown in (manifest, report):
        assert "cred-" in shown and _clear(shown) == []
    for fmt in ("csv", "jsonl", "stix"):
        exported = _isop(stored, "export", fmt)
        assert "primeplus-panel.cc" in exported and _clear(exported) == [], fmt
    # What the spiders observed rides along, the line only as its salted hash.
    [site] = [json.loads(line) for line in _isop(stored, "export", "jsonl").splitlines()]
    [panel] = site["observations"]["panels"]
    assert panel["base"] == PANEL and panel["credential"].startswith("cred-")
    assert site["observations"]["counts"]["playlist"] >= 1
    bundle = json.loads(_isop(stored, "export", "stix"))
    names = [o.get("name") for o in bundle["objects"] if o["type"] == "infrastructure"]
    assert "Xtream-Codes panel line.primeplus-panel.cc" in names
    # the WARC is evidence as fetched: its body still lists the line's stream URLs; its
    # target URI is the item's, redacted before capture
    records = list(ArchiveIterator(io.BytesIO((out / "evidence.warc.gz").read_bytes())))
    targets = [r.rec_headers.get_header("WARC-Target-URI") for r in records]
    assert all("cred-" in t and not _clear(t) for t in targets)
    bodies = b"".join(r.content_stream().read() for r in
                      ArchiveIterator(io.BytesIO((out / "evidence.warc.gz").read_bytes()))
                      if r.rec_type == "response")  # fmt: skip
    assert LINE.password.encode() in bodies


@pytest.mark.parametrize("url", [
    f"{PANEL}/live/{LINE.username}/{LINE.password}/8425_90215.ts",  # an HLS segment of a line
    f"{PANEL}/{LINE.username}/{LINE.password}/8425_90215.ts",
    f"{PANEL}/timeshift/{LINE.username}/{LINE.password}/60/2025-03-14:12-00/8425.ts",
    f"http://{LINE.username}:{LINE.password}@tv.example.cc/list.m3u",
])  # fmt: skip
def test_every_form_of_a_line_is_redacted(url: str) -> None:
    redacted = Redactor(b"salt").redact_url(url)
    assert redacted.credential.startswith("cred-") and _clear(redacted.url) == []
