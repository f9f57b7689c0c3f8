"""``python -m bench NAME [--quick]`` runs one benchmark; ``python -m bench list`` names them.

Each benchmark prints a table and, as its last line, one JSON object with the headline
figures and ratios, so scripts can read results without parsing tables.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHMARKS = {
    "codec": "bench.codec",
    "dedup": "bench.dedup",
    "crawl": "bench.crawl",
    "frontier": "bench.frontier",
    "registry": "bench.registry",
    "hops": "bench.hops",
    "linking": "bench.linking",
    "images": "bench.images",
    "detect": "bench.detect",
    "alerts": "bench.alerts",
    "fleet": "bench.fleet",
    "extract": "bench.extract",
    "api": "bench.api",
    "evidence": "bench.evidence",
    "facts": "bench.facts",
    "exports": "bench.exports",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", help="benchmark name, or 'list'")
    parser.add_argument("--quick", action="store_true", help="smaller run, for smoke tests")
    args = parser.parse_args(argv)
    if args.name == "list":
        for name, module in BENCHMARKS.items():
            doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]
            print(f"{name}\t{doc}")
        return 0
    if args.name not in BENCHMARKS:
        print(f"bench: unknown benchmark {args.name!r}; try: python -m bench list",
              file=sys.stderr)  # fmt: skip
        return 2
    result = importlib.import_module(BENCHMARKS[args.name]).run(quick=args.quick)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
