"""Linking features per page (identifiers, redirects, template MinHash) vs a bare lxml parse.

Runs over every HTML page of the sandbox web (seed 1, with the ``hops`` extras), all in
memory: no network, no database.  The baseline is ``lxml.html.document_fromstring`` of the
same bytes, the least any DOM-based step costs; the ratio says how many bare parses one
page's linking features cost.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from lxml import etree, html
from rich.console import Console
from rich.table import Table

from crawler.linking.features import page_features
from crawler.linking.identifiers import extract_identifiers
from crawler.linking.template import signature
from crawler.sandbox import build_web


def _rate(pages: list[tuple[str, bytes]], step: Any, rounds: int) -> float:
    begin = time.perf_counter()
    for _ in range(rounds):
        for url, body in pages:
            step(url, body)
    return rounds * len(pages) / (time.perf_counter() - begin)


def _parse(url: str, body: bytes) -> None:
    with contextlib.suppress(etree.ParserError):  # an empty page
        html.document_fromstring(body)


def run(quick: bool = False) -> dict[str, Any]:
    web = build_web(seed=1, extras=("hops",))
    pages = []
    for url in web.urls("text/html"):
        res = web.resource(url)
        if res is not None:
            pages.append((url, res.data()))
    rounds = 1 if quick else 3
    rows = {
        "features (all)": _rate(pages, lambda u, b: page_features(u, "text/html", b), rounds),
        "identifiers only": _rate(pages, lambda u, b: extract_identifiers(b, u), rounds),
        "template MinHash only": _rate(pages, lambda u, b: signature(b), rounds),
        "baseline: lxml parse": _rate(pages, _parse, rounds),
    }
    size = sum(len(b) for _, b in pages) / len(pages)
    table = Table(title=f"Linking features on {len(pages)} sandbox pages (mean {size:,.0f} B)")
    table.add_column("step")
    table.add_column("pages/s", justify="right")
    for name, rate in rows.items():
        table.add_row(name, f"{rate:,.0f}")
    Console().print(table)
    ours, base = rows["features (all)"], rows["baseline: lxml parse"]
    return {"ours_pages_per_s": round(ours), "baseline_pages_per_s": round(base),
            "ratio": round(ours / base, 3), "pages": len(pages)}
