"""panel_xtream: Xtream-Codes answers are recognised; passwords never reach the evidence."""

from __future__ import annotations

import json

from detectors.base import Content
from detectors.config import load_config
from detectors.heuristic.panel import PanelDetector


def _detect(body: bytes) -> dict[str, str]:
    detector = PanelDetector(load_config().settings_for("panel_xtream"))
    return {s.name: s.evidence for s in detector.detect(Content("http://p/", "panel", body))}


def test_player_api_answer_is_recognised_and_password_masked() -> None:
    answer = {
        "user_info": {"username": "alice", "password": "s3cretpass", "exp_date": "1767225599",
                      "max_connections": "1", "status": "Active", "auth": 1},
        "server_info": {"url": "line.example", "port": "8080", "server_protocol": "http"},
    }
    found = _detect(json.dumps(answer).encode())
    assert {"xtream_user_info", "xtream_server_info"} <= found.keys()
    assert "username=alice" in found["xtream_user_info"]
    assert "s3cretpass" not in " ".join(found.values())
    assert "s***(10 chars)" in found["xtream_user_info"]


def test_panel_login_page_markers() -> None:
    page = b"<html><title>XUI.one panel</title><p>Reseller panel - max connections</p></html>"
    assert "panel_markers" in _detect(page)


def test_other_json_and_non_json_yield_nothing() -> None:
    assert _detect(b'{"user": {"username": "bob", "password": "x"}}') == {}
    assert _detect(b"[1, 2, 3]") == {}
    assert _detect(b"not json at all") == {}
    assert _detect(b"[" * 100_000) == {}
