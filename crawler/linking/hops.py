"""Where a known site will hop next: candidate registered domains, most likely first.

Pirate sites that lose a domain (seizure, registrar suspension, a blocking order) come back
under a name their users can guess, because they must: the same label under another suffix
(``yts.mx`` -> ``yts.lt``), the next number (``torrentqq288.com`` -> ``torrentqq289.com``),
the old suffix folded into the label, a respelling, an affix added or dropped (the families
of :mod:`crawler.linking.mutations`), often with a new suffix as well.

Every candidate is scored as P(family) x P(label within the family) x P(suffix), and the
``budget`` best are kept (a lazy k-way merge, so no more than the budget is built):

- P(family) and how often a family keeps the old suffix are counts of the hops each family
  explains in a hop history (``data/hop_families.txt``, rebuilt by
  ``python -m crawler.linking.hop_priors``, tuning years only);
- P(label) decays with the label's place in its family (``1 / (place + 1) ** LABEL_DECAY``);
- P(suffix) decays with the suffix's place in the hop order of :mod:`crawler.linking.tlds`
  (``1 / (rank + 1) ** TLD_DECAY``).

So a compound move (a respelled label under a new suffix) competes with a plain suffix swap
by likelihood instead of by a fixed share of the budget.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path

from crawler.linking.hop_eval import split_domain
from crawler.linking.mutations import FAMILIES
from crawler.linking.tlds import icann_suffixes, operators, ranked_tlds

DEFAULT_BUDGET = 200
FAMILY_DATA = Path(__file__).with_name("data") / "hop_families.txt"
#: Decay exponents, chosen on a split inside the tuning years (priors and suffix order from
#: hops before 2020, recall judged on 2020-21 hops): see README "Hop candidates".
TLD_DECAY = 1.0
LABEL_DECAY = 1.0
SIBLING_BOOST = 10.0
#: Candidates each family that applies keeps whatever its score (rare moves are still
#: probed), when the budget is at least four times what these floors take.
FAMILY_FLOOR = 2
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
#: Used when the data file is absent: (hops explained, of them with the old suffix kept).
_FALLBACK = {"tld_swap": (60, 0, 90), "next_number": (3, 1, 20)}


def hop_candidates(domain: str, budget: int = DEFAULT_BUDGET) -> list[str]:
    """Up to ``budget`` registered domains ``domain`` may hop to, most likely first.

    Never contains ``domain`` itself; an input that is not a registered domain under a
    known suffix (an IP address, ``localhost``, junk) yields an empty list.
    """
    return [cand for cand, _family in explained_candidates(domain, budget)]


def explained_candidates(domain: str, budget: int = DEFAULT_BUDGET) -> list[tuple[str, str]]:
    """``(candidate, family)`` pairs: the candidates of :func:`hop_candidates` and the
    family of :mod:`crawler.linking.mutations` that proposed each (for an analyst)."""
    label, suffix = split_domain(domain.strip().lower().rstrip("."))
    if budget <= 0 or not label or not suffix or not _LABEL.match(label):
        return []
    origin = f"{label}.{suffix}"
    families = []
    for family, (rate, keep) in family_priors().items():
        labels = [n for n in dict.fromkeys(FAMILIES[family](label, suffix))
                  if _LABEL.match(n) and (family == "tld_swap" or n != label)]
        if labels:
            families.append((family, rate, 0.0 if family == "tld_swap" else keep, labels))
    norm = sum(rate for _, rate, _, _ in families)
    best = list(islice(_merged(families, norm, suffix, origin), budget))
    taken = {cand for cand, _ in best}
    floor: dict[str, str] = {}  # each family's own best few, when the budget has room
    if budget >= 4 * FAMILY_FLOOR * len(families):
        for name, rate, keep, labels in families:
            # Scores in a family are label weight x suffix share: its best few candidates
            # come from its first few labels.
            top = [(name, rate, keep, labels[:FAMILY_FLOOR])]
            for cand, family in islice(_merged(top, norm, suffix, origin), FAMILY_FLOOR):
                if cand not in taken:
                    floor.setdefault(cand, family)
    return best[:budget - len(floor)] + list(floor.items())


def _merged(families: list[tuple[str, float, float, list[str]]], norm: float, suffix: str,
            origin: str) -> Iterator[tuple[str, str]]:
    """``(candidate, family)`` of ``families`` in descending score, each candidate once.

    A label's stream joins the heap only when the previous label of its family yields its
    first candidate: within a family weights decrease, so it cannot have won earlier."""
    tlds = tld_scores(suffix)
    heap: list[tuple[float, tuple[int, int], str, Iterator[tuple[float, str]]]] = []
    weights: list[list[float]] = []

    def push(fam: int, index: int) -> None:
        _family, rate, keep, labels = families[fam]
        if index < len(labels):
            stream = _stream(labels[index], suffix, tlds, rate / norm * weights[fam][index],
                             keep)
            first = next(stream, None)
            if first is not None:
                heapq.heappush(heap, (-first[0], (fam, index), first[1], stream))

    for fam, (_family, _rate, _keep, labels) in enumerate(families):
        raw = [1.0 / (i + 1) ** LABEL_DECAY for i in range(len(labels))]
        weights.append([w / sum(raw) for w in raw])
        push(fam, 0)
    seen = {origin}
    started: set[tuple[int, int]] = set()
    while heap:
        _score, tie, cand, stream = heapq.heappop(heap)
        if tie not in started:
            started.add(tie)
            push(tie[0], tie[1] + 1)
        if cand not in seen:
            seen.add(cand)
            yield cand, families[tie[0]][0]
        nxt = next(stream, None)
        if nxt is not None:
            heapq.heappush(heap, (-nxt[0], tie, nxt[1], stream))


def _stream(name: str, suffix: str, tlds: list[tuple[float, str]], weight: float,
            keep: float) -> Iterator[tuple[float, str]]:
    """``(score, domain)`` of one label under every suffix, best first: the old suffix with
    probability ``keep``, the others by :func:`tld_scores`."""
    same = weight * keep
    for share, tld in tlds:
        score = weight * (1.0 - keep) * share
        if same > 0 and same >= score:
            yield same, f"{name}.{suffix}"
            same = 0.0
        yield score, f"{name}.{tld}"


@lru_cache(maxsize=1024)
def tld_scores(old: str) -> list[tuple[float, str]]:
    """P(new suffix | old suffix), best first, without ``old``: ``1 / (rank + 1) **
    TLD_DECAY`` by the hop order, times :data:`SIBLING_BOOST` for the other TLDs of the old
    suffix's registry operator (a site stays with the registry, and the registrar, that
    sold it the last name cheaply)."""
    operator = operators().get(old)
    scores = [((SIBLING_BOOST if operator and operators().get(t) == operator else 1.0)
               / (rank + 1) ** TLD_DECAY, t) for rank, t in enumerate(ranked_tlds()) if t != old]
    total = sum(score for score, _ in scores)
    return sorted(((score / total, t) for score, t in scores), key=lambda p: -p[0])


@lru_cache(maxsize=1)
def family_priors() -> dict[str, tuple[float, float]]:
    """family -> (P(family explains a hop | it applies to the label), P(old suffix kept |
    family)), Laplace-smoothed counts; :func:`explained_candidates` normalises the first over
    the families that apply to the label at hand."""
    counts = read_family_counts(FAMILY_DATA) or _FALLBACK
    return {f: ((n + 1) / (applied + 2), (kept + 1) / (n + 2))
            for f, (n, kept, applied) in ((f, counts.get(f, (0, 0, 0))) for f in FAMILIES)}


def read_family_counts(path: Path) -> dict[str, tuple[int, int, int]]:
    """``family explained kept applied`` lines of a priors file (``#`` comments); {} when
    the file is absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    out: dict[str, tuple[int, int, int]] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 4 and fields[0] in FAMILIES and all(f.isdigit() for f in fields[1:]):
            out[fields[0]] = (int(fields[1]), int(fields[2]), int(fields[3]))
    return out


def is_known_suffix(suffix: str) -> bool:
    """True when ``suffix`` is an ICANN public suffix (the generator only emits those)."""
    return suffix in icann_suffixes()


def explain_hop(olds: tuple[str, ...], new: str,
                budget: int = DEFAULT_BUDGET) -> tuple[str, str, int] | None:
    """``(old domain, family, place)`` of the first old domain whose ``budget`` candidates
    hold ``new`` (place counted from 1), or None when none does."""
    for old in olds:
        for place, (cand, family) in enumerate(explained_candidates(old, budget), start=1):
            if cand == new:
                return old, family, place
    return None
