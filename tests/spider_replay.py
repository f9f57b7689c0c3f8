"""Helpers for the per-kind spider tests: a spider built on a test crawler, run over the
sandbox web without a network (crawler.extract.replay), and its items as plain data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.extract.replay import crawl_offline
from crawler.sandbox import SandboxWeb


def make_spider(cls: type, data_dir: Path) -> Any:
    config = load_config(environ={}).with_overrides(
        safety={"credential_salt": "test-salt"}, crawl={"max_site_hops": 2})
    config = config.model_copy(update={"data_dir": data_dir})
    crawler = get_crawler(cls, {"ISOP_CONFIG": config})
    spider = crawler._create_spider()
    spider.max_site_hops = 2
    return spider


def run(web: SandboxWeb, spider: Any, seeds: list[str], max_pages: int = 150) -> list[Any]:
    return list(crawl_offline(web, spider, seeds, max_pages=max_pages))


def of_type(items: list[Any], name: str) -> list[Any]:
    return [i for i in items if type(i).__name__ == name]


def as_json(item: Any) -> str:
    """The item as an exporter would write it (bodies left out)."""
    data = dataclasses.asdict(item)
    data.pop("body", None)
    data.pop("verdict", None)
    return json.dumps(data, default=str, ensure_ascii=False)
