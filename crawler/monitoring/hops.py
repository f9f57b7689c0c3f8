"""Hop candidates of a site that went down, and how a probed candidate proves it is the site.

The generator belongs to the linking feature (``crawler.linking.hops.hop_candidates``); the
monitor only asks it for a budget of names.  A candidate that answers is the same operation
when it serves the same page (text fingerprint) or the same title once both domains' names
are taken out of it ("YTS.MX - Movies" on yts.mx and "YTS.LT - Movies" on yts.lt).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from crawler.linking.hop_eval import split_domain

logger = logging.getLogger(__name__)

HopGenerator = Callable[[str, int], list[str]]
MIN_TITLE = 6  # shorter titles ("Home", "Index") prove nothing
_NOT_WORD = re.compile(r"[\W\d_]+")


def hop_generator() -> HopGenerator:
    """The linking feature's candidate generator."""
    from crawler.linking.hops import hop_candidates

    return hop_candidates


def _title_key(title: str | None, domains: tuple[str, ...]) -> str:
    text = (title or "").lower()
    for domain in domains:  # whole names first: "yts.lt" before the label "yts"
        text = text.replace(domain, " ")
    for domain in domains:
        label, suffix = split_domain(domain)
        text = text.replace(label if label and suffix else domain.split(".")[0], " ")
    return _NOT_WORD.sub(" ", text).strip()


def same_site_proof(
    *,
    origin: str,
    candidate: str,
    reference_fingerprint: str | None,
    reference_title: str | None,
    fingerprint: str | None,
    title: str | None,
) -> str | None:
    """The proof that ``candidate`` serves the site last seen on ``origin``, or None."""
    if reference_fingerprint and fingerprint == reference_fingerprint:
        return "same-content"
    reference = _title_key(reference_title, (origin, candidate))
    if len(reference) >= MIN_TITLE and reference == _title_key(title, (origin, candidate)):
        return "same-title"
    return None
