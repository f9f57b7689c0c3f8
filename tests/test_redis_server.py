from pathlib import Path

import pytest
import redis

from crawler.redis_server import EmbeddedRedis, RedisUnavailable, ping, redact, redis_urls


def test_embedded_server_answers_and_persists_across_restarts(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        client.rpush("isop:test", b"kept")
        client.close()
    with redis_urls([], tmp_path) as urls:
        client = redis.Redis.from_url(urls[0])
        assert client.lrange("isop:test", 0, -1) == [b"kept"]
        client.close()


def test_embedded_server_is_stopped_on_exit(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        url = server.url
    with pytest.raises(RedisUnavailable):
        ping(url, timeout=0.5)


def test_one_private_server_per_data_dir(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path), pytest.raises(RedisUnavailable, match="another isop process"):
        EmbeddedRedis(tmp_path).start()


def test_unreachable_url_names_url_and_cause() -> None:
    with pytest.raises(RedisUnavailable, match=r"redis://127\.0\.0\.1:1/0: .*refused"):
        ping("redis://127.0.0.1:1/0", timeout=0.5)
    with pytest.raises(RedisUnavailable, match="invalid Redis URL"):
        ping("http://nope")


def test_redact_hides_password() -> None:
    assert redact("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert redact("redis://host:6379") == "redis://host:6379"
