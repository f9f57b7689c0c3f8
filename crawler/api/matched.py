"""Which catalog reference each piece of image evidence matched: the site detail's
``matched_images`` and the console's reference thumbnails.

The console shows the reference image (the catalog's re-encoded thumbnail) beside the
evidence that matched it.  A signal names its reference either directly (a ``reference`` key
holding the catalog id) or, as the crawl's image pipeline writes it today, in its evidence
text: "copy of the poster of 'Dune' (catalog default, reference upload:ana; pHash ...".  The
latter is resolved by catalog, work and source (a source the detector's length limit cut
is matched as a prefix); a reference removed since is simply not shown.  Anything
unexpected in a signal (they are crawl data) is skipped, never an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

IMAGE_DETECTOR = "image_phash"
MAX_PER_EVIDENCE = 4
# The detector shortens its evidence to a limit (240 characters, with "…"): a long source
# may be cut, so it is then matched as a prefix.
_EVIDENCE = re.compile(
    r"copy of the (?P<kind>\w+) of (?P<q>['\"])(?P<work>.*?)(?P=q) "
    r"\(catalog (?P<catalog>[^,]{1,64}), reference (?P<source>.{1,500}?)(?:; pHash|…)"
)


@dataclass(frozen=True)
class MatchedReference:
    ref: int
    work: str
    kind: str
    catalog: str
    thumbnail: bool

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "work": self.work, "kind": self.kind, "catalog": self.catalog,
                "thumbnail": (f"/api/v1/catalog/images/{self.ref}/thumbnail"
                              if self.thumbnail else None)}  # fmt: skip


def _ref_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _wanted(signal: Mapping[str, Any]) -> tuple[int | None, tuple[str, str, str] | None]:
    """(a catalog id, or (catalog, work, source) to look up) a signal points at."""
    ref = _ref_id(signal.get("reference"))
    if ref is not None:
        return ref, None
    evidence = signal.get("evidence")
    if signal.get("detector") != IMAGE_DETECTOR or not isinstance(evidence, str):
        return None, None
    found = _EVIDENCE.search(evidence[:2000])
    if found is None:
        return None, None
    source = found["source"] + ("…" if found.group(0).endswith("…") else "")
    return None, (found["catalog"], found["work"], source)


def matched_references(
    evidence: Iterable[Mapping[str, Any]], open_catalog: Callable[[], Any]
) -> dict[int, list[MatchedReference]]:
    """Evidence id -> the stored references its signals matched (the catalog opened once,
    only when some signal names a reference)."""
    wanted: dict[int, list[tuple[int | None, tuple[str, str, str] | None]]] = {}
    for row in evidence:
        signals = row.get("signals")
        if not isinstance(signals, list):
            continue
        keys = [_wanted(s) for s in signals if isinstance(s, Mapping)]
        keys = [k for k in keys if k != (None, None)]
        if keys and isinstance(row.get("id"), int):
            wanted[row["id"]] = keys[:MAX_PER_EVIDENCE]
    if not wanted:
        return {}
    try:
        images = open_catalog()
    except Exception as exc:  # no catalog feature, broken settings: the page still renders
        logger.warning("Catalog unavailable for the site page: %s", exc)
        return {}
    try:
        if not images.exists():
            return {}
        return {eid: refs for eid, keys in wanted.items()
                if (refs := _resolve(images, keys))}  # fmt: skip
    finally:
        images.close()


def _resolve(images: Any, keys: list[tuple[int | None, tuple[str, str, str] | None]]
             ) -> list[MatchedReference]:  # fmt: skip
    found: dict[int, MatchedReference] = {}
    for ref, described in keys:
        if ref is not None:
            reference = images.lookup(ref)
            candidates = [reference] if reference is not None else []
        elif described is not None:
            catalog, work, source = described
            cut = source.endswith("…")
            candidates = [r for r in images.references(catalog=catalog, work=work, limit=50)
                          if r.work == work and (r.source.startswith(source[:-1]) if cut
                                                 else r.source == source)]  # fmt: skip
        else:
            continue
        for r in candidates:
            found.setdefault(r.id, MatchedReference(r.id, r.work, r.kind, r.catalog,
                                                    images.has_thumbnail(r.id)))  # fmt: skip
    return list(found.values())[:MAX_PER_EVIDENCE]
