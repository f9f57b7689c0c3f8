"""``isop evidence verify`` and ``isop evidence export`` on real files (in-process CLI runs;
tests/test_alerts_cli.py runs the command as a separate process)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_evidence_chain import page, pipeline
from warcio.archiveiterator import ArchiveIterator

from crawler.alerts.db import open_engine
from crawler.registry import Registry
from detectors.base import Signal, Verdict

HOSTILE = '<script>alert("x")</script>'


def isop(*args: str, data_dir: Path) -> Result:
    """The command in this process (CliRunner): the CLI contract without a fresh interpreter."""
    from crawler.cli import cli

    env = {k: None for k in os.environ if k.startswith("ISOP_")}
    result = CliRunner().invoke(cli, list(args), env={**env, "ISOP_DATA_DIR": str(data_dir)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry with a site on two domains, another site, and five captures."""
    data = tmp_path_factory.mktemp("data")
    url = f"sqlite:///{(data / 'registry.db').resolve()}"
    seen = datetime(2026, 11, 23, 12, tzinfo=UTC)
    with Registry.open(url) as registry:
        for domain, aliases in (("pirate.to", [("old-pirate.to", "redirect")]), ("other.cc", [])):
            registry.record_page_verdict(
                domain, f"http://{domain}/", 0.9, True, "index", "magnets", [],
                "0" * 64, seen, aliases=aliases,
            )  # fmt: skip
    engine = open_engine(url)
    pipe = pipeline(engine, data / "evidence")
    for i in range(3):
        pipe.capture(page(i))
    hostile = page(3, domain="old-pirate.to")
    hostile.url = f'http://old-pirate.to/"><img src=x onerror=alert(1)>{HOSTILE}'
    hostile.verdict = Verdict(score=0.8, infringing=True, kind="streaming",
                              signals=(Signal("title", HOSTILE, 0.8, HOSTILE),),
                              explanation=HOSTILE)  # fmt: skip
    pipe.capture(hostile)
    pipe.capture(page(4, domain="other.cc"))
    pipe.close_spider()
    engine.dispose()
    return data


def test_export_writes_warc_manifest_and_escaped_report(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "case"
    result = isop("evidence", "export", "www.pirate.to", "--out", str(out), data_dir=data_dir)
    assert result.exit_code == 0, result.stderr
    assert "4 capture(s) of pirate.to, evidence chain intact" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert {d["domain"] for d in manifest["domains"]} == {"pirate.to", "old-pirate.to"}
    assert [c["domain"] for c in manifest["captures"]] == ["pirate.to"] * 3 + ["old-pirate.to"]
    assert {"score_history", "checks", "domain_links"} <= set(manifest["history"])
    assert manifest["history"]["score_history"]  # the site's scores came along
    warc = (out / "evidence.warc.gz").read_bytes()
    assert hashlib.sha256(warc).hexdigest() == manifest["files"]["warc_sha256"]
    for capture in manifest["captures"]:
        cut = warc[capture["warc"]["case_offset"] :][: capture["warc"]["length"]]
        assert hashlib.sha256(cut).hexdigest() == capture["warc_sha256"]
    types = [r.rec_type for r in ArchiveIterator(io.BytesIO(warc))]
    assert types == ["response", "request", "metadata"] * 4
    html = (out / "report.html").read_text()
    assert hashlib.sha256(html.encode()).hexdigest() == manifest["files"]["report_sha256"]
    assert HOSTILE not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Evidence chain verified: 5 records" in html


def test_export_refuses_a_used_directory_and_an_unknown_domain(
    data_dir: Path, tmp_path: Path
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("keep me")
    for args, needle in (
        (("pirate.to", "--out", str(used)), "exists and is not an empty directory"),
        (("nobody.example", "--out", str(tmp_path / "n")), "nobody.example: no site and no"),
    ):
        result = isop("evidence", "export", *args, data_dir=data_dir)
        assert result.exit_code == 2
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and needle in lines[0], result.stderr
    assert (used / "x").read_text() == "keep me"
    assert not (tmp_path / "n").exists()


def test_verify_names_the_first_broken_link(data_dir: Path, tmp_path: Path) -> None:
    ok = isop("evidence", "verify", data_dir=data_dir)
    assert ok.exit_code == 0 and ok.stdout.startswith("evidence chain intact: 5 record(s)")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(data_dir), str(copy)], check=True)
    warc = next((copy / "evidence").glob("*.warc.gz"))
    data = bytearray(warc.read_bytes())
    data[-100] ^= 0xFF  # inside the last capture
    warc.write_bytes(bytes(data))
    broken = isop("evidence", "verify", data_dir=copy)
    assert broken.exit_code == 1
    assert "evidence chain BROKEN: 1 problem(s) in 5 record(s); first: record 5 " in broken.stdout
    assert "changed (SHA-256 mismatch)" in broken.stdout


def test_head_and_expect_head(data_dir: Path, tmp_path: Path) -> None:
    head = isop("evidence", "head", data_dir=data_dir)
    assert head.exit_code == 0
    kept = head.stdout.strip()
    seq, _, digest = kept.partition(":")
    assert seq == "5" and len(digest) == 64
    as_json = json.loads(isop("evidence", "head", "--json", data_dir=data_dir).stdout)
    assert as_json["head"] == kept and as_json["anchored"]["head"] == kept
    ok = isop("evidence", "verify", "--expect-head", kept, data_dir=data_dir)
    assert ok.exit_code == 0 and f"expected head {kept}: reached" in ok.stdout
    assert f"last anchored head {kept}" in ok.stdout and "the chain reaches it" in ok.stdout
    # the case file keeps the head too
    out = tmp_path / "case"
    assert (
        isop("evidence", "export", "other.cc", "--out", str(out), data_dir=data_dir).exit_code == 0
    )
    assert json.loads((out / "manifest.json").read_text())["case"]["chain"]["head_ref"] == kept
    # the newest two records go, with the log: only the kept head shows it
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(data_dir), str(copy)], check=True)
    engine = open_engine(f"sqlite:///{(copy / 'registry.db').resolve()}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM evidence_captures WHERE seq >= 4")
    engine.dispose()
    (copy / "evidence" / "chain-heads.log").unlink()
    broken = isop("evidence", "verify", "--expect-head", kept, data_dir=copy)
    assert broken.exit_code == 1
    assert "first: records seq 4-5 missing: the chain ends at seq 3" in broken.stdout
    assert "first missing sequence number: 4" in broken.stdout


def test_expect_head_that_is_not_a_head_is_a_usage_error(data_dir: Path) -> None:
    result = isop("evidence", "verify", "--expect-head", "5:nothex", data_dir=data_dir)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--expect-head '5:nothex': HASH must be 64 hex" in lines[0]
