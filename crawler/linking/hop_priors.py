"""Fit the family priors of the hop-candidate model from a hop history.

For each hop of the tuning years, the first family of :mod:`crawler.linking.mutations` that
makes the new label from an old one is credited, and whether the old suffix was kept.  The
file written (``data/hop_families.txt``) holds counts per family only, no domain names.
``python -m crawler.linking.hop_priors HOPS.csv --before 2022`` rebuilds it; the suffix order
is rebuilt apart (``python -m crawler.linking.tlds``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from crawler.linking.hop_eval import Hop, read_hops, split_domain
from crawler.linking.mutations import FAMILIES, explain


def family_counts(hops: list[Hop], before: int,
                  distinct: bool = True) -> dict[str, tuple[int, int, int]]:
    """family -> (hops it explains, of them with the old suffix kept, hops it applied to:
    proposed any label for), hops before ``before``; ``distinct`` counts an (old domains,
    new domain) pair once however many indexers list it."""
    explained: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    applied: Counter[str] = Counter()
    seen: set[tuple[tuple[str, ...], str]] = set()
    for hop in hops:
        key = (tuple(sorted(hop.olds)), hop.new)
        if hop.year >= before or (distinct and key in seen):
            continue
        seen.add(key)
        new_label, new_suffix = split_domain(hop.new)
        label, suffix = split_domain(hop.olds[0])
        applied.update(f for f, make in FAMILIES.items() if label and make(label, suffix))
        for old in hop.olds:
            label, suffix = split_domain(old)
            family = explain(label, suffix, new_label) if label and suffix else None
            if family is not None:
                explained[family] += 1
                kept[family] += new_suffix == suffix
                break
    return {f: (explained[f], kept[f], applied[f]) for f in FAMILIES}


def main(argv: list[str] | None = None) -> int:
    """Rebuild ``data/hop_families.txt`` from a hop-history CSV."""
    from crawler.linking.hops import FAMILY_DATA

    parser = argparse.ArgumentParser(prog="python -m crawler.linking.hop_priors")
    parser.add_argument("hops_csv", type=Path)
    parser.add_argument("--before", type=int, default=2022, help="use hops before this year")
    parser.add_argument("--all-rows", action="store_true",
                        help="count a hop once per indexer listing it, not once")
    parser.add_argument("--out", type=Path, default=FAMILY_DATA)
    args = parser.parse_args(argv)
    counts = family_counts(read_hops(args.hops_csv), args.before, not args.all_rows)
    lines = [f"# family, hops it explains, of them with the old suffix kept, hops it applied "
             f"to; hops before {args.before} in {args.hops_csv.name}.",
             "# Rebuilt by python -m crawler.linking.hop_priors; counts only, no domain names."]
    lines += [f"{family} {n} {k} {a}" for family, (n, k, a) in counts.items()]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(counts)} families to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
