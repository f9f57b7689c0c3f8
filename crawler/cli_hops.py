"""``isop hops``: the hop-candidate generator and its recall on real hop history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.cli import fail

HELD_OUT_FROM = 2022  # the generator's data and shares were tuned on hops before this year


@click.group()
def hops() -> None:
    """Where known sites are likely to hop next, and how often that guess was right."""


@hops.command("candidates")
@click.argument("domain")
@click.option("--budget", type=click.IntRange(min=1), default=200, show_default=True,
              help="How many candidates to print.")
@click.option("--explain", is_flag=True, help="Print the family that proposed each candidate.")
def candidates(domain: str, budget: int, explain: bool) -> None:
    """Print the domains DOMAIN is likely to hop to, most likely first."""
    from crawler.linking.hops import explained_candidates

    out = explained_candidates(domain, budget)
    if not out:
        fail(f"{domain}: not a registered domain under a known public suffix")
    for cand, family in out:
        click.echo(f"{cand}\t{family}" if explain else cand)


@hops.command("eval")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--budget", type=click.IntRange(min=1), default=200, show_default=True,
              help="Candidates generated per old domain.")
@click.option("--held-out-from", type=int, default=HELD_OUT_FROM, show_default=True,
              help="First year not used for tuning (reported apart).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--verbose", "-v", is_flag=True,
              help="Also print each distinct hop: the family that found it and its place "
                   "among the candidates, or MISSED.")
def evaluate_file(file: Path, budget: int, held_out_from: int, as_json: bool,
                  verbose: bool) -> None:
    """Recall of the candidates on a hop-history CSV (date,commit,indexer,change,url)."""
    from crawler.linking.hop_eval import HopFileError, evaluate, load_hops
    from crawler.linking.hops import explain_hop, hop_candidates

    try:
        data = load_hops(file)
    except HopFileError as exc:
        fail(str(exc))
    if not data.hops:
        fail(f"{file}: no hop whose registered domain changed ({data.rows} rows, "
             f"{data.bad_rows} unusable)")
    result = evaluate(data.hops, hop_candidates, budget)
    tuned = result.span_rate(0, held_out_from - 1)
    held = result.span_rate(held_out_from, 9999)
    summary = {
        "budget": budget, "hops": result.total, "found": result.found,
        "recall": round(result.rate, 4),
        "distinct_hops": result.distinct_total,
        "distinct_recall": round(result.distinct_found / result.distinct_total, 4),
        "tuning_years": _share(tuned), "held_out_years": _share(held),
        "held_out_from": held_out_from,
        "by_year": {str(y): {"hops": t, "found": f, "recall": round(f / t, 4)}
                    for y, (f, t) in sorted(result.by_year.items())},
        "rows": data.rows, "bad_rows": data.bad_rows,
    }
    if verbose:
        hops_out: list[dict[str, Any]] = []
        for hop in dict.fromkeys(data.hops):
            why = explain_hop(hop.olds, hop.new, budget)
            hops_out.append({"year": hop.year, "indexer": hop.indexer, "olds": list(hop.olds),
                             "new": hop.new, "found_from": why[0] if why else None,
                             "family": why[1] if why else None,
                             "place": why[2] if why else None})  # fmt: skip
        families: dict[str, int] = {}
        for row in hops_out:
            key = str(row["family"] or "missed")
            families[key] = families.get(key, 0) + 1
        summary["distinct_by_family"] = families
        if not as_json:
            for row in hops_out:
                how = (f"{row['family']} #{row['place']} from {row['found_from']}"
                       if row["family"] else "MISSED")
                click.echo(f"{row['year']} {row['indexer']}: {', '.join(row['olds'])} -> "
                           f"{row['new']}: {how}")
            click.echo("hops by family: " + ", ".join(
                f"{name} {count}" for name, count in sorted(families.items(),
                                                            key=lambda kv: -kv[1])))
        else:
            summary["hop_list"] = hops_out
    if as_json:
        click.echo(json.dumps(summary))
        return
    Console().print(_table(summary))


def _share(pair: tuple[int, int]) -> dict[str, float | int]:
    found, total = pair
    return {"hops": total, "found": found, "recall": round(found / total, 4) if total else 0.0}


def _table(summary: dict[str, object]) -> Table:
    table = Table(title=f"Hop-candidate recall at {summary['budget']} candidates per domain",
                  caption=f"{summary['rows']} rows read, {summary['bad_rows']} unusable; "
                          f"distinct hops: {summary['distinct_hops']}, recall "
                          f"{summary['distinct_recall']:.1%}")
    table.add_column("Years")
    table.add_column("Hops", justify="right")
    table.add_column("Found", justify="right")
    table.add_column("Recall", justify="right")
    by_year = summary["by_year"]
    assert isinstance(by_year, dict)
    for year, row in by_year.items():
        table.add_row(year, str(row["hops"]), str(row["found"]), f"{row['recall']:.1%}")
    cut = summary["held_out_from"]
    for label, key in ((f"tuning (< {cut})", "tuning_years"), (f"held out (>= {cut})",
                                                                "held_out_years")):
        row = summary[key]
        assert isinstance(row, dict)
        table.add_row(label, str(row["hops"]), str(row["found"]), f"{row['recall']:.1%}",
                      style="italic")
    table.add_row("all", str(summary["hops"]), str(summary["found"]),
                  f"{summary['recall']:.1%}", style="bold")
    return table
