"""How pirate sites change their name when they hop: label transforms, by family.

Each family is a list of new second-level labels for an old one, most likely first; the
suffix is chosen apart (:mod:`crawler.linking.hops` crosses each label with the TLD order).
The families are generic habits of sites that must stay findable by their users, not names
of any one site: the next number (``torrentqq288`` -> ``torrentqq289``), the old suffix folded
into the label (``torrentz2`` + ``eu``), a respelling (a hyphen, a doubled or dropped letter,
a plural ``s``, a dropped vowel), a proxy/unblock/official/country affix added, or such an
affix dropped again (``gotorrentkitty`` -> ``torrentkitty``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")
_ANY_NUMBER = re.compile(r"\d+")
#: Words that proxy services, unblockers and clones put before or after a site's name.
AFFIXES = ("unblock", "proxy", "unblocked", "mirror", "official", "new", "the", "real", "my",
           "go", "hd", "tv", "online", "fr", "eu", "us", "uk", "to", "clone", "top", "dl",
           "cn", "es", "it", "de", "ru", "in", "io", "web", "free", "best", "1", "2", "x")
#: Affixes also dropped when a label starts or ends with them (longest first).
DROPPABLE = tuple(sorted({a for a in AFFIXES if len(a) >= 2} | {"s", "site", "torrent",
                                                                "torrents", "official"},
                         key=lambda a: (-len(a), a)))
_VOWELS = "aeiou"


def next_numbers(label: str, limit: int = 30) -> list[str]:
    """``name288`` -> ``name289``, ``name290``... then ``name287``, ``name286``."""
    match = _TRAILING_NUMBER.match(label)
    if not match:
        return []
    stem, digits = match.groups()
    number = int(digits)
    steps = [1, 2, 3, -1, *range(4, limit + 1), -2, -3]
    out = [f"{stem}{number + s}" for s in steps if number + s >= 0]
    if digits.startswith("0"):
        out += [f"{stem}{number + s:0{len(digits)}d}" for s in steps if number + s >= 0]
    return out


def added_number(label: str) -> list[str]:
    """A first number for a label without one: ``name`` -> ``name2``, ``name1``..."""
    if _TRAILING_NUMBER.match(label):
        return []
    return [f"{label}{n}" for n in (2, 1, 3, 4, 5, 10, 0, 6, 7, 8, 9, 11, 12, 123)]


def other_numbers(label: str) -> list[str]:
    """A number dropped, moved or added in another place: ``yts2`` -> ``yts``, ``1yts``."""
    out: list[str] = []
    match = _TRAILING_NUMBER.match(label)
    if match and match.group(1):
        out.append(match.group(1).rstrip("-"))
    inner = _ANY_NUMBER.search(label)
    if inner and (not match or inner.start() != match.start(2)):
        out.append((label[:inner.start()] + label[inner.end():]).strip("-"))
        number = int(inner.group())
        out.append(f"{label[:inner.start()]}{number + 1}{label[inner.end():]}")
    out += [f"{label}-{n}" for n in (2, 1)] + [f"{n}{label}" for n in (1, 2)]
    return out


def folded_suffix(label: str, suffix: str) -> list[str]:
    """The old suffix folded into the label: ``torrentz2.eu`` -> ``torrentz2eu``."""
    flat = suffix.replace(".", "")
    return [f"{label}{flat}", f"{label}-{flat}"]


def respelled(label: str) -> list[str]:
    """A hyphen removed or added, a letter doubled or dropped, a plural ``s`` added or not,
    a vowel dropped."""
    out: list[str] = []
    if "-" in label:
        out.append(label.replace("-", ""))
    out.append(label[:-1] if label.endswith("s") else label + "s")
    for i in range(1, len(label)):
        if label[i] == label[i - 1] and label[i].isalpha():
            out.append(label[:i] + label[i + 1:])
    for i in range(1, len(label) - 1):
        if label[i].isalpha() and label[i] not in _VOWELS and label[i] != label[i - 1]:
            out.append(label[:i + 1] + label[i] + label[i + 1:])
    if "-" not in label:
        out += [f"{label[:i]}-{label[i:]}" for i in range(3, len(label) - 2)]
    for i in range(1, len(label) - 1):
        if label[i] in _VOWELS:
            out.append(label[:i] + label[i + 1:])
    for i in range(1, len(label)):
        if label[i].isalpha() and label[i] not in _VOWELS and label[i - 1] not in _VOWELS:
            out += [label[:i] + v + label[i:] for v in "ae"]
    return out


def affixed(label: str) -> list[str]:
    """Proxy and unblock affixes, country and "official" markers: ``x-proxy``, ``unblockx``."""
    out: list[str] = []
    for word in AFFIXES:
        if word.isdigit():
            continue
        out += [f"{label}{word}", f"{word}{label}", f"{label}-{word}", f"{word}-{label}"]
    return out


def unaffixed(label: str) -> list[str]:
    """A known affix dropped from either end: ``gotorrentkitty`` -> ``torrentkitty``."""
    out: list[str] = []
    for word in DROPPABLE:
        if label.startswith(word) and len(label) - len(word) >= 2:
            out.append(label[len(word):].strip("-"))
        if label.endswith(word) and len(label) - len(word) >= 2:
            out.append(label[:-len(word)].strip("-"))
    return out


#: family name -> labels from (label, suffix); the TLD swap keeps the label ("identity").
FAMILIES: dict[str, Callable[[str, str], list[str]]] = {
    "tld_swap": lambda label, _suffix: [label],
    "next_number": lambda label, _suffix: next_numbers(label),
    "added_number": lambda label, _suffix: added_number(label),
    "other_number": lambda label, _suffix: other_numbers(label),
    "folded_suffix": folded_suffix,
    "spelling": lambda label, _suffix: respelled(label),
    "affix": lambda label, _suffix: affixed(label),
    "affix_drop": lambda label, _suffix: unaffixed(label),
}


def explain(old_label: str, old_suffix: str, new_label: str) -> str | None:
    """The first family whose labels contain ``new_label`` (None: a rename no family makes)."""
    for name, make in FAMILIES.items():
        if new_label in make(old_label, old_suffix):
            return name
    return None
