"""Top-level domains in the order a pirate site is likely to hop to them.

The order is data (``data/hop_tlds.txt``), rebuilt by ``python -m crawler.linking.tlds``
from two sources: the suffixes that torrent indexes hopped to in the years used for tuning
(a hop-history CSV) and the suffixes of a public piracy blocklist (what pirates register at
all).  Every other ICANN top-level domain of the bundled public suffix list follows, shortest
first, so a large budget still reaches every suffix.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATA = Path(__file__).with_name("data") / "hop_tlds.txt"
#: Blocklist suffixes kept: validated inside the tuning years (order built from hops before
#: 2020, judged on 2020-2021 hops), 40 beat 20 and all at a budget of 200.
BLOCKLIST_TOP = 40
_OPERATOR = re.compile(r"^// ([a-z0-9-]+) : (.+)$")


def _psl_text() -> str:
    return (resources.files("tldextract") / ".tld_set_snapshot").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def icann_suffixes() -> frozenset[str]:
    """Every ICANN public suffix of tldextract's bundled list (``com``, ``co.uk``...)."""
    out: set[str] = set()
    inside = False
    for raw in _psl_text().splitlines():
        line = raw.strip()
        if line.startswith("// ===BEGIN ICANN"):
            inside = True
        elif line.startswith("// ===END ICANN"):
            break
        elif inside and line and not line.startswith("//"):
            out.add(line.lstrip("*.!").encode("idna").decode("ascii") if not line.isascii()
                    else line.lstrip("*.!"))
    return frozenset(out)


@lru_cache(maxsize=1)
def operators() -> dict[str, str]:
    """Generic TLD -> its registry operator, from the list's ``// tld : Operator`` comments."""
    out: dict[str, str] = {}
    pending: tuple[str, str] | None = None
    for raw in _psl_text().splitlines():
        line = raw.strip()
        match = _OPERATOR.match(line)
        if match:
            pending = (match.group(1), match.group(2).strip())
        elif pending and line == pending[0]:
            out[pending[0]] = pending[1]
            pending = None
        elif line and not line.startswith("//"):
            pending = None
    return out


def ranked_tlds() -> tuple[str, ...]:
    """Suffixes in hop order (see :func:`rank_suffixes`) for the bundled data file."""
    return _ranked(tuple(_read_data()))


@lru_cache(maxsize=8)
def _ranked(head: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(rank_suffixes(list(head)))


def rank_suffixes(head: list[str]) -> list[str]:
    """``head`` first, then every other one-label ICANN TLD.

    The tail is ordered by its registry operator's place in ``head``: pirates hop between
    the cheap TLDs of the same few registries, so an operator whose TLDs already appear high
    in the hop history brings its other TLDs forward.  The operator's weight is shared by its
    TLDs (P(operator) x P(TLD | operator), uniform within a portfolio), so a small registry
    with hits (Radix's 10 TLDs) is not buried under a 192-TLD one.  Generic TLDs of unknown
    operators follow, shortest first, and country codes come last (tuning years hopped to new
    generic TLDs far more often than to unlisted country codes).
    """
    known = icann_suffixes()
    head = [s for s in dict.fromkeys(head) if s in known]
    ops = operators()
    weight: dict[str, float] = {}
    for rank, suffix in enumerate(head):
        if suffix in ops:
            weight[ops[suffix]] = weight.get(ops[suffix], 0.0) + 1.0 / (rank + 1)
    taken = set(head)
    rest = [s for s in known if "." not in s and not s.startswith("xn--") and s not in taken]
    size = Counter(ops.values())
    rest.sort(key=lambda s: (len(s) == 2, -weight.get(ops.get(s, ""), 0.0)
                             / size.get(ops.get(s, ""), 1), len(s), s))
    return head + rest


def _read_data() -> list[str]:
    try:
        text = DATA.read_text(encoding="utf-8")
    except OSError:
        return []
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]


def merge_rankings(hop_counts: Counter[str], list_counts: Counter[str]) -> list[str]:
    """Interleave the two frequency rankings (hop history first), without repeats."""
    a = [s for s, _ in hop_counts.most_common()]
    b = [s for s, _ in list_counts.most_common()]
    out: list[str] = []
    for i in range(max(len(a), len(b))):
        out.extend(x for x in (a[i:i + 1] + b[i:i + 1]) if x not in out)
    return out


def _hop_suffix_counts(path: Path, before_year: int) -> Counter[str]:
    from crawler.linking.hop_eval import read_hops, split_domain

    counts: Counter[str] = Counter()
    for hop in read_hops(path):
        if hop.year < before_year:
            counts[split_domain(hop.new)[1]] += 1
    return counts


def _blocklist_counts(paths: list[Path]) -> Counter[str]:
    from crawler.linking.hop_eval import split_domain

    counts: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split("#", 1)[0].split()
            if fields:
                suffix = split_domain(fields[-1])[1]
                if suffix and suffix in icann_suffixes():
                    counts[suffix] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    """Rebuild ``data/hop_tlds.txt`` from a hop-history CSV and blocklists."""
    parser = argparse.ArgumentParser(prog="python -m crawler.linking.tlds")
    parser.add_argument("hops_csv", type=Path)
    parser.add_argument("blocklists", type=Path, nargs="*")
    parser.add_argument("--before", type=int, default=2022, help="use hops before this year")
    parser.add_argument("--blocklist-top", type=int, default=BLOCKLIST_TOP,
                        help="keep this many of the blocklists' most common suffixes")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    order = merge_rankings(_hop_suffix_counts(args.hops_csv, args.before),
                           Counter(dict(_blocklist_counts(args.blocklists)
                                        .most_common(args.blocklist_top))))
    header = (f"# Hop order of suffixes: hops before {args.before} in {args.hops_csv.name} "
              f"interleaved with {', '.join(p.name for p in args.blocklists) or 'no blocklist'}.\n"
              "# Rebuilt by python -m crawler.linking.tlds; counts only, no domain names.\n")
    args.out.write_text(header + "\n".join(order) + "\n", encoding="utf-8")
    print(f"wrote {len(order)} suffixes to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
