"""Snapshot of every verdict the detector stack gives, to prove a speed-up changed none.

    python -m bench._detect_snapshot OUT.json [--evidence]

Runs the configured pipeline over every resource of the sandbox web (seeds 1 and 2), the
~50 KB pages ``bench detect`` times, tests/fixtures/detectors/** and tests/fixtures/labelled/**,
the real data under ../shared/realdata that detectors read (when present), and a few hostile
bodies (binary, 30,000-deep nesting, 60,000 tags, UTF-16, NUL bytes...). For each target
it writes (target, flagged, score, kind, sorted (signal, score)) with scores rounded to 4
places; ``--evidence`` adds each signal's evidence string, whose wording may legitimately
change. Diff two snapshots with ``diff`` or ``python -m bench._detect_snapshot --diff A B``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.detect import joined_pages, sandbox_pages
from crawler.sandbox import build_web
from detectors.base import Content
from detectors.inputs import InputError, sniff_kind, to_content
from detectors.pipeline import DetectionPipeline

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
_REAL_GLOBS = ("jackett/*.html", "jackett/*.json", "iptv/*.m3u8", "hls/**/*.m3u8", "epg/*.xml",
               "torrents/*.torrent")  # fmt: skip
_FORCED_KINDS = ("html", "playlist", "panel")  # every kind on guides and the jackett page


def _sandbox(seed: int) -> Iterator[tuple[str, Content | None]]:
    web = build_web(seed=seed)
    for url in web.urls():
        resource = web.resource(url)
        if resource is None:
            continue
        body = resource.data()
        kind = sniff_kind(body, url, resource.content_type)
        try:
            yield f"sandbox{seed}:{url}", to_content(url, body, kind, resource.content_type)
        except InputError:
            yield f"sandbox{seed}:{url}", None


def _files(folder: Path, pattern: str, prefix: str) -> Iterator[tuple[str, Content | None]]:
    for path in sorted(folder.glob(pattern)):
        if not path.is_file() or path.suffix in (".csv", ".md", ".yaml") or path.name == "LICENSE":
            continue
        body = path.read_bytes()
        name = f"{prefix}:{path.relative_to(folder)}"
        url = f"https://files.example/{path.name}"
        kind = sniff_kind(body, path.name)
        try:
            yield name, to_content(url, body, kind)
        except InputError:
            yield name, None
        if prefix == "real" and path.suffix in (".xml", ".html"):
            for forced in _FORCED_KINDS:
                yield f"{name}#{forced}", Content(url, forced, body)


def _hostile() -> Iterator[tuple[str, Content | None]]:
    """Deterministic hostile bodies (binary, deep nesting, caps, odd encodings), every kind."""
    rng = random.Random(3)
    bodies = {
        "binary": bytes(rng.randrange(256) for _ in range(100_000)),
        "deep": b"<div>" * 30_000 + b"watch free Dune.2024.1080p.WEB-DL x264" + b"</div>" * 30_000,
        "many_tags": b"".join(b'<a href="/p%d" data-u="http://h%d.com">Server %d 720p</a>'
                              % (i, i % 9000, i % 5) for i in range(60_000)),
        "long_text": b"<p>" + "regarder gratuitement ΟΔΟΣ 무료 다시보기 ".encode() * 20_000,
        "nul": b"<body>\x00watch\x00 free <a href='magnet:?xt=urn:btih:ab&dn=Dune.2024.1080p'>",
        "utf16": "<p>assistir grátis 1080p bluray x264</p>".encode("utf-16"),
        "checksums": b"<p>" + b" ".join(b"%064x" % rng.getrandbits(256) for _ in range(50))
        + b" sha256sums checksum gpl ubuntu.iso amd64</p>",
        "char_refs": b'<div class="by&#108;ine">x</div><article></article><time datetime=1>' * 3,
        "two_roots": b"<html><p>watch free</p></html><ARTICLE><Time datetime=1>x</Time>"
        b"</ARTICLE><p class=Byline>by</p><script>var u='//vidhost.example/e/1'</script>",
        "tags_in_text": b"<p>&lt;article&gt; &lt;time datetime=1&gt; author byline</p>",
    }  # fmt: skip
    for name, body in bodies.items():
        for kind in ("html", "playlist", "panel"):
            yield f"hostile:{name}#{kind}", Content("https://x.example/p", kind, body, "text/html")


def targets() -> Iterator[tuple[str, Content | None]]:
    """Every (target name, content) the snapshot judges; None for unreadable input."""
    yield from _hostile()
    for seed in (1, 2):
        yield from _sandbox(seed)
    for url, body in joined_pages(sandbox_pages()):
        yield f"joined:{url}", Content(url, "html", body, "text/html; charset=utf-8")
    yield from _files(ROOT / "tests" / "fixtures" / "detectors", "**/*", "fixtures")
    yield from _files(ROOT / "tests" / "fixtures" / "labelled", "**/*", "labelled")
    if REALDATA.exists():
        for pattern in _REAL_GLOBS:
            yield from _files(REALDATA, pattern, "real")


def snapshot(evidence: bool = False) -> dict[str, Any]:
    """Target name -> its verdict as plain, rounded data."""
    pipeline = DetectionPipeline.from_config()
    out: dict[str, Any] = {}
    for name, content in targets():
        if content is None:
            out[name] = "unreadable"
            continue
        verdict = pipeline.evaluate(content)
        signals = sorted(
            (f"{s.detector}.{s.name}", round(s.score, 4), *([s.evidence] if evidence else []))
            for s in verdict.signals
        )
        out[name] = {
            "flagged": verdict.infringing,
            "score": round(verdict.score, 4),
            "kind": verdict.kind,
            "signals": signals,
        }
    out["_errors"] = dict(pipeline.errors)
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per target whose entry differs (or exists on one side only)."""
    lines = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            lines.append(f"{name}\n  old: {old.get(name)}\n  new: {new.get(name)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._detect_snapshot")
    parser.add_argument("out", nargs="?", help="write the snapshot here (JSON)")
    parser.add_argument("--evidence", action="store_true", help="include evidence strings")
    parser.add_argument("--diff", nargs=2, metavar=("OLD", "NEW"), help="compare two snapshots")
    args = parser.parse_args(argv)
    if args.diff:
        old, new = (json.loads(Path(p).read_text("utf-8")) for p in args.diff)
        lines = diff(old, new)
        print("\n".join(lines) if lines else f"identical ({len(old)} targets)")
        return 1 if lines else 0
    if not args.out:
        parser.error("give OUT.json or --diff OLD NEW")
    data = snapshot(args.evidence)
    Path(args.out).write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True))
    print(f"{len(data) - 1} targets, errors {data['_errors']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
