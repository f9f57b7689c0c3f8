"""The detectors against the project's own sandbox web and its published ground truth.

A held-out check written by another part of the project (our fixtures are ours, so they are
easy for us). Pages are read straight from the generated web, no server needed. Per domain the
strongest page verdict counts, as an analyst would look at a site's worst page. Floors leave
room for the sandbox to grow harder.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest

from detectors.base import Content
from detectors.pipeline import DetectionPipeline
from detectors.site import CONFIRMED, fuse_site

sandbox = pytest.importorskip("crawler.sandbox")
domains = pytest.importorskip("crawler.domains")


def _kind(url: str, content_type: str) -> str | None:
    if content_type.startswith("text/html"):
        return "html"
    if "mpegurl" in content_type or url.endswith((".m3u", ".m3u8")):
        return "playlist"
    if "json" in content_type:
        return "panel"
    return None


def test_sandbox_domains_are_judged_right(capsys: Any) -> None:
    web = sandbox.build_web(seed=1)
    pipeline = DetectionPipeline.from_config()
    best: dict[str, tuple[float, str | None]] = {}
    flagged_kinds: dict[str, Counter[str]] = defaultdict(Counter)
    pages: dict[str, list[Any]] = defaultdict(list)
    for url in web.urls():
        resource = web.resource(url)
        kind = _kind(url, resource.content_type) if resource is not None else None
        if resource is None or kind is None:
            continue
        verdict = pipeline.evaluate(Content(url, kind, resource.data(), resource.content_type))
        domain = domains.registered_domain(url)
        pages[domain].append((url, verdict))
        if verdict.infringing and verdict.kind:
            flagged_kinds[domain][verdict.kind] += 1
        if verdict.score > best.get(domain, (-1.0, None))[0]:
            best[domain] = (verdict.score, verdict.kind)
    assert not pipeline.errors
    counts: Counter[str] = Counter()
    wrong = []
    for entry in web.truth():
        if entry.domain not in best:
            continue
        flagged = best[entry.domain][0] >= pipeline.fusion.config.thresholds.infringing
        kinds = flagged_kinds[entry.domain].most_common(1)
        kind = kinds[0][0] if kinds else None
        counts["tp" if entry.infringing and flagged else "fn" if entry.infringing
               else "fp" if flagged else "tn"] += 1
        if flagged and entry.infringing:
            counts["kind_ok"] += kind == entry.kind
        if flagged != entry.infringing or (flagged and kind != entry.kind):
            wrong.append((entry.domain, entry.infringing, entry.kind, flagged, kind))
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    with capsys.disabled():
        print(f"\n[detectors] sandbox domains: {dict(counts)} precision={precision:.3f} "
              f"recall={recall:.3f} wrong={wrong}")
    assert counts["tp"] + counts["fn"] >= 10 and counts["tn"] + counts["fp"] >= 10
    assert precision >= 0.9 and recall >= 0.9, wrong
    assert counts["kind_ok"] >= 0.9 * counts["tp"], wrong
    # The site verdict (detectors.site) over all of a domain's pages: confirmed sites only.
    sites: Counter[str] = Counter()
    site_wrong = []
    for entry in web.truth():
        if entry.domain not in pages:
            continue
        site = fuse_site(entry.domain, pages[entry.domain], pipeline.site)
        confirmed = site.status == CONFIRMED
        sites[site.status] += 1
        sites["tp" if entry.infringing and confirmed else "fn" if entry.infringing
              else "fp" if confirmed else "tn"] += 1  # fmt: skip
        sites["kind_ok"] += confirmed and entry.infringing and site.kind == entry.kind
        if confirmed != entry.infringing or (confirmed and site.kind != entry.kind):
            site_wrong.append((entry.domain, entry.infringing, site.status, site.kind))
    with capsys.disabled():
        print(f"[detectors] sandbox site verdicts: {dict(sites)} wrong={site_wrong}")
    assert sites["fp"] == 0 and sites["fn"] <= 0.1 * (sites["tp"] + sites["fn"]), site_wrong
    assert sites["kind_ok"] >= 0.9 * sites["tp"], site_wrong
