"""Secrets for a fleet come from mounted files (``ISOP_*_FILE``) and are never printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config


def test_file_variables_stand_for_their_setting(tmp_path: Path) -> None:
    url = tmp_path / "database_url"
    url.write_text("postgresql+psycopg://isop:s3cr3t@db:5432/isop\n")
    routes = tmp_path / "routes"
    routes.write_text("- name: ops\n  urls: ['json://127.0.0.1:9/hook']\n")
    config = load_config(environ={"ISOP_DATABASE_URL_FILE": str(url),
                                  "ISOP_CRAWL__PROXY_FILE": str(url)})  # fmt: skip
    assert config.database_url == "postgresql+psycopg://isop:s3cr3t@db:5432/isop"
    assert config.crawl.proxy == config.database_url
    # A variable set directly wins over its file.
    direct = load_config(environ={"ISOP_DATABASE_URL_FILE": str(url),
                                  "ISOP_DATABASE_URL": "sqlite:///x.db"})  # fmt: skip
    assert direct.database_url == "sqlite:///x.db"


def test_an_unreadable_secret_file_names_the_variable_not_the_content(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(environ={"ISOP_DATABASE_URL_FILE": str(tmp_path / "missing")})
    assert "ISOP_DATABASE_URL_FILE" in str(raised.value)
    assert "No such file" in str(raised.value)


def test_the_cli_never_prints_a_secret_from_a_file(tmp_path: Path) -> None:
    secret = "postgresql+psycopg://isop:Pa55word-XYZ@127.0.0.1:1/isop"
    url = tmp_path / "database_url"
    url.write_text(secret)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env.update({"ISOP_DATABASE_URL_FILE": str(url), "ISOP_REDIS_URLS": "redis://127.0.0.1:1",
                "ISOP_DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "crawler", "worker", "--port", "1"],
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Pa55word-XYZ" not in result.stdout + result.stderr
