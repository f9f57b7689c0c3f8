"""Hop-candidate recall on real hop history per year and budget, and candidates generated/s.

Reads ../shared/realdata/jackett/domain_hops_before_2024.csv (Jackett's indexer-definition
history; evaluation data only).  The baseline is "TLD swap only": the same label under the
same ranked suffixes, without renumbering, respelling or affixes, so the ratio says what the
scored model and the other families add; the hops found are also counted by family.
Years before 2022 were used for tuning; 2022 and later are held out.
Speed is timed cold (no cache) over every distinct old domain of the file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from crawler.linking.hop_eval import Recall, evaluate, load_hops, split_domain
from crawler.linking.hops import explain_hop, hop_candidates
from crawler.linking.tlds import ranked_tlds

HOPS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "jackett" / \
    "domain_hops_before_2024.csv"
BUDGETS = (50, 100, 200)
HELD_OUT_FROM = 2022


def tld_swap_only(domain: str, budget: int) -> list[str]:
    """Baseline: the label under the ranked suffixes, nothing else."""
    label, suffix = split_domain(domain)
    if not label or not suffix:
        return []
    return [f"{label}.{t}" for t in ranked_tlds() if t != suffix][:budget]


def _rate(pair: tuple[int, int]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def run(quick: bool = False) -> dict[str, Any]:
    if not HOPS.exists():
        raise SystemExit(f"bench hops: {HOPS} is absent (the shared real data folder)")
    data = load_hops(HOPS)
    ours: dict[int, Recall] = {b: evaluate(data.hops, hop_candidates, b) for b in BUDGETS}
    base: dict[int, Recall] = {b: evaluate(data.hops, tld_swap_only, b) for b in BUDGETS}
    years = sorted(ours[BUDGETS[-1]].by_year)
    table = Table(title=f"Hop-candidate recall ({len(data.hops)} real hops, ours / TLD swap "
                        "only)")
    table.add_column("Years")
    table.add_column("Hops", justify="right")
    for budget in BUDGETS:
        table.add_column(f"@{budget}", justify="right")
    spans = [(str(y), y, y) for y in years] + [
        (f"tuning < {HELD_OUT_FROM}", 0, HELD_OUT_FROM - 1),
        (f"held out >= {HELD_OUT_FROM}", HELD_OUT_FROM, 9999), ("all", 0, 9999)]
    for label, first, last in spans:
        total = ours[BUDGETS[-1]].span_rate(first, last)[1]
        cells = [f"{_rate(ours[b].span_rate(first, last)):.1%} / "
                 f"{_rate(base[b].span_rate(first, last)):.1%}" for b in BUDGETS]
        table.add_row(label, str(total), *cells)
    olds = sorted({old for hop in data.hops for old in hop.olds})
    rounds = 1 if quick else 3
    begin = time.perf_counter()
    produced = 0
    for _ in range(rounds):
        for old in olds:
            produced += len(hop_candidates(old, 200))
    ours_rate = produced / (time.perf_counter() - begin)
    begin = time.perf_counter()
    produced_base = sum(len(tld_swap_only(old, 200)) for _ in range(rounds) for old in olds)
    base_rate = produced_base / (time.perf_counter() - begin)
    families: dict[str, int] = {}
    for hop in data.hops:
        why = explain_hop(hop.olds, hop.new, BUDGETS[-1])
        families[why[1] if why else "missed"] = families.get(why[1] if why else "missed", 0) + 1
    console = Console()
    console.print(table)
    console.print(f"hops found at {BUDGETS[-1]} by family (the family whose candidate it was): "
                  + ", ".join(f"{f} {n}" for f, n in sorted(families.items(),
                                                             key=lambda kv: -kv[1])))
    console.print(f"candidates/s at budget 200: ours {ours_rate:,.0f}, TLD swap only "
                  f"{base_rate:,.0f} ({len(olds)} distinct old domains x {rounds})")
    top = ours[BUDGETS[-1]]
    return {
        "ours_recall_200": round(top.rate, 4),
        "baseline_recall_200": round(base[BUDGETS[-1]].rate, 4),
        "ratio_200": round(top.rate / base[BUDGETS[-1]].rate, 3),
        "ours_held_out_recall_200": round(_rate(top.span_rate(HELD_OUT_FROM, 9999)), 4),
        "ours_tuning_recall_200": round(_rate(top.span_rate(0, HELD_OUT_FROM - 1)), 4),
        "ours_distinct_recall_200": round(top.distinct_found / top.distinct_total, 4),
        "recall_by_budget": {str(b): round(ours[b].rate, 4) for b in BUDGETS},
        "ours_candidates_per_s": round(ours_rate),
        "found_by_family_200": families,
        "baseline_candidates_per_s": round(base_rate),
    }
