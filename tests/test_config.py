from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config


def test_defaults_load_from_config_dir() -> None:
    config = load_config(environ={})
    assert config.redis.urls == ()
    assert config.crawl.page_budget_per_site >= 1
    assert config.database_url.startswith("sqlite:///")
    assert config.database_url.endswith("registry.db")


def test_file_then_environment_override(tmp_path: Path) -> None:
    override = tmp_path / "site.yaml"
    override.write_text("crawl:\n  download_delay: 2.5\n  page_budget_per_site: 7\n")
    env = {
        "ISOP_REDIS_URLS": "redis://a:6379/0, redis://b:6379/0",
        "ISOP_DATABASE_URL": "postgresql://u@db/isop",
        "ISOP_CRAWL__DOWNLOAD_DELAY": "0.5",
        "ISOP_DATA_DIR": str(tmp_path / "data"),
    }
    config = load_config(override, environ=env)
    assert config.crawl.download_delay == 0.5  # environment beats the file
    assert config.crawl.page_budget_per_site == 7  # the file beats the defaults
    assert config.redis.urls == ("redis://a:6379/0", "redis://b:6379/0")
    assert config.database_url == "postgresql://u@db/isop"
    assert config.data_dir == tmp_path / "data"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("crawl:\n  download_delay: [1\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: line \d+ malformed YAML"):
        load_config(bad, environ={})


def test_unknown_key_and_bad_value_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("crawl:\n  donwload_delay: 1\n")
    with pytest.raises(ConfigError, match=r"crawl\.donwload_delay"):
        load_config(bad, environ={})
    with pytest.raises(ConfigError, match=r"crawl\.download_delay"):
        load_config(environ={"ISOP_CRAWL__DOWNLOAD_DELAY": "-1"})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "absent.yaml", environ={})


def test_overrides_return_a_new_validated_object() -> None:
    config = load_config(environ={})
    changed = config.with_overrides(crawl={"proxy": "http://127.0.0.1:1"})
    assert changed.crawl.proxy == "http://127.0.0.1:1"
    assert config.crawl.proxy == ""
