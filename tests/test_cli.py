"""The ``isop`` command's user-error contract: one line naming the thing, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def isop(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
    base = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], env={**base, **(env or {})}, cwd=cwd,
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    path = tmp_path / "seeds.txt"
    path.write_text("http://flixtorrent.to/\n")
    return path


def test_unreachable_redis_url(tmp_path: Path, seeds: Path) -> None:
    result = isop("crawl", "--seeds", str(seeds), env={
        "ISOP_REDIS_URLS": "redis://127.0.0.1:1/0",
        "ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
    })  # fmt: skip
    one_line_error(result, "redis://127.0.0.1:1/0", "refused")


def test_unreachable_database_url(seeds: Path) -> None:
    result = isop("crawl", "--seeds", str(seeds),
                  env={"ISOP_DATABASE_URL": "nosuchdb://u:secret@db/x"})  # fmt: skip
    one_line_error(result, "nosuchdb://u:***@db/x")
    assert "secret" not in result.stderr


def test_unreadable_and_empty_seeds(tmp_path: Path) -> None:
    env = {"ISOP_DATA_DIR": str(tmp_path)}
    one_line_error(isop("crawl", "--seeds", str(tmp_path / "absent.txt"), env=env),
                   "absent.txt", "cannot read")  # fmt: skip
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# only a comment\n")
    one_line_error(isop("crawl", "--seeds", str(empty), env=env), "empty.txt", "no http")


def test_malformed_config_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("crawl: [\n")
    one_line_error(isop("--config", str(bad), "sites"), "bad.yaml", "malformed YAML")
    one_line_error(isop("sites", env={"ISOP_CRAWL__DOWNLOAD_DELAY": "soon"}),
                   "crawl.download_delay")  # fmt: skip


def test_bad_seed_lines_are_reported_and_skipped(tmp_path: Path, sandbox, redis_url) -> None:  # type: ignore[no-untyped-def]
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{sandbox.web.seeds()[0]}\nnot-a-url\nftp://x.to/\n")
    result = isop(
        "crawl", "--seeds", str(seeds), "--proxy", sandbox.proxy_url, "--idle-exit", "1",
        env={"ISOP_REDIS_URLS": redis_url, "ISOP_REDIS__KEY_PREFIX": "cli-seeds",
             "ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
             "ISOP_CRAWL__MAX_SITE_HOPS": "0", "ISOP_CRAWL__PAGE_BUDGET_PER_SITE": "3",
             "ISOP_CRAWL__DOWNLOAD_DELAY": "0"},
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{seeds}:2: not an http(s) URL: 'not-a-url' (skipped)" in result.stderr
    assert f"{seeds}:3:" in result.stderr


def test_sites_json_contract(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from crawler.registry import Registry

    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Registry.open(url) as registry:
        registry.record_page_verdict(
            domain="flixtorrent.to", url="http://flixtorrent.to/", score=0.9, infringing=True,
            kind="index", explanation="test", signals=[], content_sha256="0" * 64,
            seen_at=datetime.now(UTC),
        )  # fmt: skip
    result = isop("sites", "--json", env={"ISOP_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 1
    assert set(rows[0]) == {"site", "domains", "kind", "status", "score", "first_seen",
                            "last_seen"}  # fmt: skip
    assert rows[0]["domains"] == ["flixtorrent.to"]
    assert rows[0]["kind"] == "index"


def test_plain_scrapy_commands_work_from_the_repository_root(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    scrapy = [sys.executable, "-m", "scrapy"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    listed = subprocess.run([*scrapy, "list"], cwd=root, env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert listed.returncode == 0 and "discovery" in listed.stdout.split()
    env.update({"ISOP_DATA_DIR": str(tmp_path), "ISOP_CRAWL__IDLE_EXIT": "1"})
    crawled = subprocess.run([*scrapy, "crawl", "discovery"], cwd=root, env=env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert "Started private Redis" in crawled.stderr
    assert "'finish_reason': 'finished'" in crawled.stderr
