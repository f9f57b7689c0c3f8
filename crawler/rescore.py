"""``isop rescore``: re-judge stored evidence with today's detectors, without re-crawling.

After an analyst changes a weight, a rule or a catalog, the verdicts already in the registry
are stale. This re-runs the detector pipeline over what was captured and says which sites'
verdicts change:

- **WARC evidence** under ``<data_dir>/evidence/`` (``*.warc``, ``*.warc.gz``): every
  ``response`` record is re-judged from its captured bytes, by the whole pipeline, except
  image captures (a matched poster or logo, :mod:`crawler.evidence.images`): an image is
  shown by a site but hosted anywhere (a CDN), so it is counted, not judged as a page;
- **registry evidence** of a site with no WARC record: its stored signals are re-fused with
  today's weights, overrides and thresholds (the bytes were not kept, so changed rules and
  catalogs cannot apply to it; the change is reported with ``source: registry``).

Pages are grouped by registered domain, then by the site that owns the domain, and each
site's pages are fused into a site verdict (``detectors.site``) compared with the registry.
The registry is read, never written: rescoring is a report for the analyst to act on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.config import Config
from crawler.domains import registered_domain
from crawler.registry import Registry
from crawler.registry.views import SiteView
from detectors.base import GENERIC, Signal, Verdict
from detectors.inputs import InputError, sniff_kind, to_content
from detectors.pipeline import DetectionPipeline
from detectors.site import SiteVerdict, fuse_site

Warn = Callable[[str, str], None]


@dataclass(frozen=True)
class Change:
    """One site: its registry verdict before and the re-judged one."""

    site: str
    before_status: str | None
    before_kind: str | None
    before_score: float | None
    after: SiteVerdict
    source: str

    @property
    def changed(self) -> bool:
        flagged_before = self.before_status not in (None, "candidate", "false_positive")
        return flagged_before != self.after.flagged or (
            self.after.flagged and self.before_kind != self.after.kind
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "changed": self.changed,
            "source": self.source,
            "before": {"status": self.before_status, "kind": self.before_kind,
                       "score": self.before_score},
            "after": self.after.to_dict(),
        }

    def line(self) -> str:
        before = f"{self.before_status or 'unknown'}/{self.before_kind or '-'}"
        after = f"{self.after.status}/{self.after.kind or '-'} {self.after.score:.2f}"
        top = self.after.evidence[0].signal.qualified_name if self.after.evidence else "no signal"
        mark = "CHANGED" if self.changed else "same   "
        return f"{mark} {self.site}: {before} -> {after} ({self.source}; top: {top})"


@dataclass
class RescoreResult:
    sites: list[Change] = field(default_factory=list)
    warc_records: int = 0
    registry_rows: int = 0
    unreadable: int = 0
    image_records: int = 0  # image captures: evidence of a match, not pages to re-judge

    @property
    def changes(self) -> list[Change]:
        return [change for change in self.sites if change.changed]

    def summary(self) -> dict[str, int]:
        return {
            "sites": len(self.sites),
            "changed": len(self.changes),
            "warc_records": self.warc_records,
            "registry_rows": self.registry_rows,
            "unreadable": self.unreadable,
            "image_records": self.image_records,
        }


def warc_files(folder: Path) -> list[Path]:
    """WARC files under ``folder``, oldest name first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.name.endswith((".warc", ".warc.gz")))


def warc_pages(
    path: Path, max_bytes: int, warn: Warn | None = None
) -> Iterator[tuple[str, bytes, str]]:
    """``(url, body, content_type)`` of every response record of a WARC file."""
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not url.startswith(("http://", "https://")):
                    raise ValueError("a response record without an http(s) WARC-Target-URI")
                headers = record.http_headers
                ctype = headers.get_header("Content-Type", "") if headers is not None else ""
                yield url, record.content_stream().read(max_bytes), ctype
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        if warn is not None:
            warn(str(path), f"unreadable WARC ({exc})")


def signal_specs(pipeline: DetectionPipeline) -> dict[str, tuple[str, float]]:
    """``detector.signal`` -> (family, weight) as today's configuration defines them."""
    specs: dict[str, tuple[str, float]] = {}
    for stage in pipeline.stages:
        detector: Any = stage.detector
        for rule in getattr(detector, "rules", ()) or ():
            specs[f"{stage.name}.{rule.spec.name}"] = (rule.spec.family, rule.spec.weight)
        settings = getattr(detector, "settings", None)
        for name, setting in (getattr(settings, "signals", None) or {}).items():
            specs[f"{stage.name}.{name}"] = (setting.family, setting.weight)
    return specs


def refuse_stored(
    pipeline: DetectionPipeline, stored: list[dict[str, Any]], specs: dict[str, tuple[str, float]]
) -> Verdict:
    """Today's fused verdict of signals stored in the registry (rules/catalogs not re-run)."""
    signals = []
    for item in stored:
        key = f"{item.get('detector')}.{item.get('name')}"
        family, weight = specs.get(key, (item.get("family") or GENERIC, item.get("weight", 1.0)))
        try:
            signals.append(Signal(str(item.get("detector")), str(item.get("name")),
                                  float(item.get("score", 0.0)), str(item.get("evidence", "")),
                                  family, float(weight)))  # fmt: skip
        except (TypeError, ValueError):
            continue  # a row written by an older schema: skip what cannot be read
    return pipeline.fusion.fuse(signals)


def rescore_sites(
    config: Config, pipeline: DetectionPipeline, warn: Warn | None = None
) -> RescoreResult:
    """Re-judge every site with stored evidence; compare with the registry's verdicts."""
    result = RescoreResult()
    by_domain: dict[str, list[tuple[str, Verdict]]] = defaultdict(list)
    for path in warc_files(config.data_dir / "evidence"):
        for url, body, ctype in warc_pages(path, pipeline.limits.max_bytes, warn):
            result.warc_records += 1
            if ctype.split(";", 1)[0].strip().lower().startswith("image/"):
                result.image_records += 1
                continue
            try:
                content = to_content(url, body, sniff_kind(body, url, ctype), ctype)
            except InputError as exc:
                result.unreadable += 1
                if warn is not None:
                    warn(url, str(exc))
                continue
            by_domain[registered_domain(url)].append((url, pipeline.evaluate(content)))
    registry = Registry.open(config.database_url)
    try:
        sites = registry.sites()
        owner: dict[str, SiteView] = {d: site for site in sites for d in site.domains}
        grouped: dict[str, list[tuple[str, Verdict]]] = defaultdict(list)
        for domain, pages in by_domain.items():
            site = owner.get(domain)
            grouped[site.label if site else domain].extend(pages)
        specs = signal_specs(pipeline)
        sources = {label: "warc" for label in grouped}
        for site in sites:
            if site.label in grouped:
                continue
            for row in registry.evidence(site.id):
                result.registry_rows += 1
                grouped[site.label].append((row.url, refuse_stored(pipeline, row.signals, specs)))
                sources[site.label] = "registry"
        by_label = {site.label: site for site in sites}
        for label, pages in sorted(grouped.items()):
            before = by_label.get(label)
            verdict = fuse_site(label, pages, pipeline.site)
            result.sites.append(Change(
                label,
                before.status if before else None,
                before.kind if before else None,
                before.score if before else None,
                verdict,
                sources[label],
            ))  # fmt: skip
    finally:
        registry.close()
    return result
