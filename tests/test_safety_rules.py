"""The pure rules behind the safety components: canonical URLs, trap checks, payload
recognition, SSRF decisions and credential redaction."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from twisted.internet.error import DNSLookupError

from crawler.safety.credentials import RedactingFilter, Redactor, load_salt
from crawler.safety.media import is_media_type, media_reason
from crawler.safety.ssrf import AllowList, SafeResolver, refusal
from crawler.safety.urls import TrapLimits, canonical_url, is_calendar, trap_reason


def test_canonical_urls_drop_sessions_and_tracking_only() -> None:
    url = "http://Site.TO/a;jsessionid=AB12?utm_source=x&page=2&PHPSESSID=9&fbclid=z&q=b#top"
    assert canonical_url(url) == "http://site.to/a?page=2&q=b"
    assert canonical_url("http://site.to/watch?v=1&server=2") == "http://site.to/watch?v=1&server=2"


@pytest.mark.parametrize(("url", "reason"), [
    ("http://a.to/x/y/x/y/x/y", "repeating_path"),
    ("http://a.to/list?page=100000", "page_number"),
    ("http://a.to/" + "a" * 3000, "url_too_long"),
    ("http://a.to/" + "/".join(f"s{i}" for i in range(30)), "too_deep_path"),
    ("http://a.to/cat/Movies/2/", None),
    ("http://a.to/browse?page=3", None),
])  # fmt: skip
def test_trap_reasons(url: str, reason: str | None) -> None:
    assert trap_reason(url, TrapLimits()) == reason


def test_calendar_urls() -> None:
    assert is_calendar("http://a.to/events/2025/03/14/")
    assert is_calendar("http://a.to/schedule?date=2025-03-14")
    assert not is_calendar("http://a.to/movies/watch-blue-signal-2024")


@pytest.mark.parametrize(("url", "reason"), [
    ("http://cdn.to/hls/abc/360p/seg_00042.ts", "ts"), ("http://a.to/f.MKV", "mkv"),
    ("http://a.to/x.part3.rar", "rar"), ("http://a.to/setup.exe", "exe"),
    ("http://panel.cc:8080/user1/pass1/1234", "xtream_stream"),
    ("http://a.to/master.m3u8", None), ("http://a.to/guide.xml.gz", None),
    ("http://a.to/t/x.torrent", None), ("http://a.to/2024/11/123", None),
])  # fmt: skip
def test_media_payloads_by_url(url: str, reason: str | None) -> None:
    assert media_reason(url) == reason


def test_media_payloads_by_content_type() -> None:
    assert is_media_type("video/mp2t") and is_media_type("application/zip; charset=binary")
    assert not is_media_type("application/vnd.apple.mpegurl")
    assert not is_media_type("audio/x-mpegurl") and not is_media_type("text/html")


def test_ssrf_refusals_and_allow_list() -> None:
    none = AllowList(())
    assert refusal("169.254.169.254", 80, none) == "private_address"
    assert refusal("fd00::1", 80, none) == "private_address"
    assert refusal("::ffff:127.0.0.1", 80, none) == "private_address"
    assert refusal("100.64.0.1", 80, none) == "private_address"  # carrier-grade NAT
    assert refusal("metadata.google.internal", 80, none) == "internal_name"
    assert refusal("printer.local", 80, none) == "internal_name"
    assert refusal("8.8.8.8", 80, none) is None and refusal("flixtorrent.to", 80, none) is None
    allow = AllowList(["127.0.0.1:8123", "10.1.0.0/16"])
    assert refusal("127.0.0.1", 8123, allow) is None
    assert refusal("127.0.0.1", 8124, allow) == "private_address"
    assert refusal("10.1.2.3", 80, allow) is None and refusal("10.2.0.1", 80, allow)


def test_resolver_fails_names_that_resolve_to_private_addresses() -> None:
    resolver = SafeResolver.__new__(SafeResolver)
    resolver.allow = AllowList(["10.9.9.9"])
    assert resolver._check("93.184.216.34", "example.com") == "93.184.216.34"
    assert resolver._check("10.9.9.9", "intranet.example.com") == "10.9.9.9"
    with pytest.raises(DNSLookupError):
        resolver._check("127.0.0.1", "rebind.attacker.example")


def test_redaction_keeps_a_salted_hash_for_matching(tmp_path: Path) -> None:
    salt = load_salt(tmp_path)
    assert load_salt(tmp_path) == salt and (tmp_path / "credential_salt").stat().st_mode & 0o77 == 0
    one, other = Redactor(salt), Redactor(b"another deployment")
    a = one.redact_url("http://panel.cc:8080/live/jdoe/s3cret/101.ts")
    b = one.redact_url("http://mirror-panel.net:25461/get.php?username=jdoe&password=s3cret")
    assert "s3cret" not in a.url + b.url and "jdoe" not in a.url + b.url
    assert a.credential == b.credential  # the same line on two panels matches
    assert other.redact_url("http://panel.cc:8080/live/jdoe/s3cret/101.ts").credential \
        != a.credential  # fmt: skip
    assert one.redact_url("http://flixtorrent.to/cat/Movies/1/").credential == ""
    userinfo = one.redact_url("http://jdoe:s3cret@panel.cc/c/")
    assert "s3cret" not in userinfo.url and userinfo.credential


def test_log_lines_are_redacted() -> None:
    record = logging.LogRecord("scrapy", logging.INFO, __file__, 1,
                               "Crawled (200) <GET %s>", ("http://p.cc:8080/live/u1/pw9/7.ts",),
                               None)  # fmt: skip
    RedactingFilter(Redactor(b"s")).filter(record)
    assert "pw9" not in record.getMessage() and "cred-" in record.getMessage()


def test_page_items_of_any_spider_are_redacted_before_storage(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.config import load_config
    from crawler.items import PageItem
    from crawler.safety.redact import RedactPipeline

    config = load_config(environ={}).model_copy(update={"data_dir": tmp_path})
    pipeline = RedactPipeline.from_crawler(get_crawler(Spider, {"ISOP_CONFIG": config}))
    item = PageItem(url="http://p.cc:8080/get.php?username=jdoe&password=s3cret&type=m3u_plus",
                    domain="p.cc", status=200, content_type="audio/x-mpegurl", kind="playlist",
                    body=b"#EXTM3U", fetched_at=datetime.now(UTC),
                    redirect_chain=["http://p.cc:8080/live/jdoe/s3cret/1.m3u8"],
                    referer="http://list.to/post?user=jdoe&pass=s3cret")  # fmt: skip
    out = pipeline.process_item(item)
    stored = f"{out.url} {out.redirect_chain} {out.referer}"
    assert "s3cret" not in stored and "jdoe" not in stored and "type=m3u_plus" in out.url
    assert (tmp_path / "credential_salt").exists()
