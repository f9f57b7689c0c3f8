"""Parse step of the index, streaming and iptv spiders: pages/s on sandbox pages (no network)
vs a bare lxml parse of the same pages.

The pages are what an offline crawl of each kind's sandbox sites fetched (crawler.extract.
replay). "callback" is the spider's whole callback: PageItem, detectors' verdict, typed
extraction and link following; "extract" is the same with the detectors switched off. The
baseline parses the same bodies with lxml.html and nothing else, so the ratio says how many
bare parses one page of our parse step costs.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import lxml.html
from rich.console import Console
from rich.table import Table
from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.extract.replay import replay
from crawler.sandbox import build_web
from spiders.index import IndexSpider
from spiders.iptv import IptvSpider
from spiders.streaming import StreamingSpider

KINDS: dict[str, tuple[type, list[str]]] = {
    "index": (IndexSpider, ["http://flixtorrent.to/", "http://cinemagnet.mx/",
                            "http://torrentjoa37.com/", "http://ddlhive.net/",
                            "http://telechargement-hd.cc/"]),
    "streaming": (StreamingSpider, ["http://watchmoviehd.to/", "http://cinepipoca.net/",
                                    "http://footylive-hd.io/", "http://pelisgratishd.mx/"]),
    "iptv": (IptvSpider, ["http://freeiptv-m3u.net/", "http://iptvprimeplus.com/",
                          "http://abonnement-iptv-france.com/", "http://iptvindo-gratis.com/"]),
}  # fmt: skip


def _spider(cls: type, data_dir: Path) -> Any:
    config = load_config(environ={}).with_overrides(safety={"credential_salt": "bench"})
    config = config.model_copy(update={"data_dir": data_dir})
    crawler = get_crawler(cls, {"ISOP_CONFIG": config})
    spider = crawler._create_spider()
    spider.max_site_hops = 2
    return spider


def _time(pages: list[tuple[Any, Any]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for response, callback in pages:
            list(callback(response) or ())
    return time.perf_counter() - start


def _lxml(pages: list[tuple[Any, Any]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for response, _ in pages:
            # the baseline may choke where our parse step counts an error
            with contextlib.suppress(Exception):
                lxml.html.document_fromstring(response.body)
    return time.perf_counter() - start


def run(quick: bool = False) -> dict[str, Any]:
    web = build_web(seed=1)
    rounds = 1 if quick else 3
    result: dict[str, Any] = {"benchmark": "extract", "rounds": rounds}
    table = Table(title="Spider parse step on sandbox pages (no network)")
    for col in ("spider", "pages", "callback pages/s", "extract pages/s", "lxml pages/s",
                "lxml / extract"):  # fmt: skip
        table.add_column(col)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (cls, seeds) in KINDS.items():
            spider = _spider(cls, Path(tmp))
            pages = [(r, cb) for r, cb, _ in replay(web, spider, seeds,
                                                     max_pages=60 if quick else 250)]
            _time(pages, 1)  # warm caches (guessit rules, detector config, lxml)
            callback = _time(pages, rounds)
            with mock.patch("spiders.focused.evaluate", lambda crawler, item: None):
                extract = _time(pages, rounds)
            bare = _lxml(pages, rounds)
            n = len(pages) * rounds
            table.add_row(name, str(len(pages)), f"{n / callback:,.0f}", f"{n / extract:,.0f}",
                          f"{n / bare:,.0f}", f"{extract / bare:.1f}x")  # fmt: skip
            result[f"{name}_pages"] = len(pages)
            result[f"{name}_callback_pages_per_s"] = round(n / callback, 1)
            result[f"{name}_extract_pages_per_s"] = round(n / extract, 1)
            result[f"{name}_lxml_pages_per_s"] = round(n / bare, 1)
            result[f"{name}_extract_cost_in_lxml_parses"] = round(extract / bare, 2)
    Console().print(table)
    return result
