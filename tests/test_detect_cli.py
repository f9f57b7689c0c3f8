"""``isop detect`` and ``isop explain``: the JSON contract, URLs fetched for real, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LABELLED = FIXTURES / "labelled"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
KEYS = {"target", "url", "flagged", "score", "kind", "signals"}


def isop(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ISOP_") and "proxy" not in k.lower()}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], env=env, capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real HTTP server on loopback serving the labelled fixtures."""

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(LABELLED), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_detect_json_files_urls_and_unreadable_targets(server: str) -> None:
    pirate = LABELLED / "tune_es_torrent.html"
    result = isop(
        "detect", "--json", str(pirate), "/nonexistent/page.html",
        f"{server}/tune_pirate_playlist.m3u", f"{server}/missing.html",
        str(LABELLED / "tune_linux_torrents.html"),
    )  # fmt: skip
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert "/nonexistent/page.html" in errors[0] and "no such file" in errors[0]
    assert "missing.html" in errors[1] and "404" in errors[1]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(r) for r in records] == [KEYS] * 3
    index, playlist, distro = records
    assert index["flagged"] and index["kind"] == "index" and index["url"].startswith("file://")
    assert all(set(s) == {"detector", "name", "score", "evidence"} for s in index["signals"])
    assert any(s["name"] == "protected_release" for s in index["signals"])
    assert playlist["flagged"] and playlist["kind"] == "iptv"
    assert playlist["url"] == f"{server}/tune_pirate_playlist.m3u"
    assert not distro["flagged"] and distro["kind"] is None and 0 <= distro["score"] < 0.5


def test_detect_url_option_and_explain() -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    runner = CliRunner()
    page = str(LABELLED / "tune_fr_iptv_shop.html")
    result = runner.invoke(cli, ["detect", "--json", "--url", "https://atlasprotv.example/", page])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"] == "https://atlasprotv.example/"
    twice = runner.invoke(cli, ["detect", "--url", "https://a.example/", page, page])
    assert twice.exit_code == 2 and "exactly one TARGET" in twice.stderr
    explained = runner.invoke(cli, ["explain", page])
    assert explained.exit_code == 0, explained.output
    text = explained.stdout
    assert "FLAGGED as iptv" in text and "weight" in text
    assert "title_match.protected_channels" in text and "(Groupe Canal+)" in text
    assert "page_money" in text  # the shop's plans and prices


@pytest.mark.realdata
@pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent")
def test_detect_real_torrents_playlist_and_guide() -> None:
    result = isop(
        "detect", "--json", str(REALDATA / "torrents" / "88.torrent"),
        str(REALDATA / "torrents" / "a.torrent"), str(REALDATA / "iptv" / "free-tv_playlist.m3u8"),
        str(REALDATA / "epg" / "hoy.tv.content.xml"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    scene, archive, free_tv, guide = (json.loads(line) for line in result.stdout.splitlines())
    assert [s["name"] for s in scene["signals"]] == ["scene_release"]
    assert "Two Men In Manhattan" in scene["signals"][0]["evidence"]
    assert not archive["flagged"] and archive["signals"] == []
    assert not free_tv["flagged"] and free_tv["score"] < 0.2
    assert not guide["flagged"]


def test_broken_inputs_are_named_and_counted(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    broken = tmp_path / "[red]broken.torrent"
    broken.write_bytes(b"d4:infod")  # truncated bencode
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 400)
    result = CliRunner().invoke(cli, ["detect", "--json", str(broken), str(tmp_path),
                                      str(garbage)])  # fmt: skip
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert "[red]broken.torrent: not a valid .torrent" in errors[0]
    assert "is a directory" in errors[1]
    judged = json.loads(result.stdout)  # binary garbage is judged (as HTML), not a crash
    assert judged["flagged"] is False
