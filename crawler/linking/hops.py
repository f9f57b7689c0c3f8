"""Where a known site will hop next: candidate registered domains, most likely first.

Pirate sites that lose a domain (seizure, registrar suspension, a blocking order) come back
under a name their users can guess, because they must: the same label under another suffix
(``yts.mx`` -> ``yts.lt``), the next number (``torrentqq288.com`` -> ``torrentqq289.com``),
the old suffix folded into the label (``torrentz2.eu`` -> ``torrentz2eu.in``), a hyphen, a
letter doubled or dropped, an "unblock"/"proxy" affix.  Each family yields candidates in its
own order; the families are merged by fixed shares of the budget (:data:`SHARES`, tuned on
hops before 2022 only), so a small budget holds the best of every family and a large one
goes deeper into each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from crawler.linking.hop_eval import split_domain
from crawler.linking.tlds import icann_suffixes, ranked_tlds

DEFAULT_BUDGET = 200
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")
AFFIXES = ("unblock", "proxy", "unblocked", "mirror", "official", "new", "the", "real", "my",
           "go", "hd", "tv", "online", "fr", "eu", "us", "uk", "to", "clone", "top")
#: Share of the budget per family, in merge order; the TLD swap takes whatever is left.
SHARES: tuple[tuple[str, float], ...] = (
    ("next_number", 0.10),
    ("number_swap", 0.04),
    ("tld_swap", 0.68),
    ("folded_suffix", 0.03),
    ("spelling", 0.06),
    ("affix", 0.05),
    ("second_number", 0.04),
)
SAME_SUFFIX_TLDS = 3  # TLDs tried with a renumbered or respelled label besides its own


def hop_candidates(domain: str, budget: int = DEFAULT_BUDGET) -> list[str]:
    """Up to ``budget`` registered domains ``domain`` may hop to, most likely first.

    Never contains ``domain`` itself; an input that is not a registered domain under a
    known suffix (an IP address, ``localhost``, junk) yields an empty list.
    """
    label, suffix = split_domain(domain.strip().lower().rstrip("."))
    if budget <= 0 or not label or not suffix or not _LABEL.match(label):
        return []
    origin = f"{label}.{suffix}"
    families = {name: _valid(gen, origin) for name, gen in _families(label, suffix).items()}
    out: dict[str, None] = {}
    for name, share in SHARES:  # first every family gets its share...
        for cand in islice(families[name], max(1, round(share * budget))):
            out.setdefault(cand)
    for name in ("tld_swap", *(n for n, _ in SHARES if n != "tld_swap")):  # ...then fill
        for cand in families[name]:
            if len(out) >= budget:
                break
            out.setdefault(cand)
    return list(out)[:budget]


def _valid(candidates: Iterator[str], origin: str) -> Iterator[str]:
    seen = {origin}
    for cand in candidates:
        label = cand.split(".", 1)[0]
        if cand not in seen and _LABEL.match(label):
            seen.add(cand)
            yield cand


def _families(label: str, suffix: str) -> dict[str, Iterator[str]]:
    tlds = [t for t in ranked_tlds() if t != suffix]
    near = [suffix, *tlds[:SAME_SUFFIX_TLDS]]
    return {
        "tld_swap": (f"{label}.{t}" for t in tlds),
        "next_number": _next_numbers(label, [suffix]),
        "number_swap": _next_numbers(label, tlds[:SAME_SUFFIX_TLDS], limit=4),
        "second_number": _more_numbers(label, near),
        "folded_suffix": _folded(label, suffix, tlds),
        "spelling": _respelled(label, near),
        "affix": _affixed(label, near),
    }


def _next_numbers(label: str, suffixes: list[str], limit: int = 30) -> Iterator[str]:
    """``name288`` -> ``name289``, ``name290``... then ``name287``; ``name`` -> ``name2``..."""
    match = _TRAILING_NUMBER.match(label)
    if match:
        stem, digits = match.groups()
        number = int(digits)
        steps = [1, 2, 3, -1, *range(4, limit + 1), -2]
        labels = [f"{stem}{number + s}" for s in steps if number + s >= 0]
        if digits.startswith("0"):
            labels += [f"{stem}{number + s:0{len(digits)}d}" for s in steps if number + s >= 0]
    else:
        labels = [f"{label}{n}" for n in (2, 1, 3, 4, 5, 10)]
    for name in labels:
        for suffix in suffixes:
            yield f"{name}.{suffix}"


def _more_numbers(label: str, suffixes: list[str]) -> Iterator[str]:
    """A number dropped, or added where the label has none: ``yts2`` -> ``yts``."""
    match = _TRAILING_NUMBER.match(label)
    names = [match.group(1)] if match and match.group(1) else []
    names += [f"{label}-{n}" for n in (2, 1)] + [f"{n}{label}" for n in (1, 2)]
    for name in names:
        for suffix in suffixes:
            yield f"{name.strip('-')}.{suffix}"


def _folded(label: str, suffix: str, tlds: list[str]) -> Iterator[str]:
    """The old suffix folded into the label: ``torrentz2.eu`` -> ``torrentz2eu.<tld>``."""
    flat = suffix.replace(".", "")
    for name in (f"{label}{flat}", f"{label}-{flat}"):
        for tld in [suffix, *tlds[:8]]:
            yield f"{name}.{tld}"


def _respelled(label: str, suffixes: list[str]) -> Iterator[str]:
    """A hyphen removed or moved, a letter doubled or dropped, a plural ``s`` added or not."""
    names: list[str] = []
    if "-" in label:
        names.append(label.replace("-", ""))
    if label.endswith("s"):
        names.append(label[:-1])
    else:
        names.append(label + "s")
    for i in range(1, len(label)):
        if label[i] == label[i - 1] and label[i].isalpha():
            names.append(label[:i] + label[i + 1:])
    for i in range(1, len(label) - 1):
        if label[i].isalpha() and label[i] not in "aeiou" and label[i] != label[i - 1]:
            names.append(label[:i + 1] + label[i] + label[i + 1:])
    if "-" not in label:
        names += [f"{label[:i]}-{label[i:]}" for i in range(3, len(label) - 2)]
    for name in names:
        for suffix in suffixes:
            yield f"{name}.{suffix}"


def _affixed(label: str, suffixes: list[str]) -> Iterator[str]:
    """Proxy and unblock affixes, country and "official" markers: ``x-proxy``, ``unblockx``."""
    for suffix in suffixes[:2]:
        for word in AFFIXES:
            for name in (f"{label}{word}", f"{word}{label}", f"{label}-{word}", f"{word}-{label}"):
                yield f"{name}.{suffix}"


def is_known_suffix(suffix: str) -> bool:
    """True when ``suffix`` is an ICANN public suffix (the generator only emits those)."""
    return suffix in icann_suffixes()
