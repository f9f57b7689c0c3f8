"""Precision and recall of the registry against a ground truth (the sandbox publishes one).

Counted per registered domain.  A dead domain cannot be flagged by a crawler, so it is left
out of recall and reported apart; a domain flagged but absent from the truth counts as a
false positive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class TruthLike(Protocol):
    @property
    def domain(self) -> str: ...
    @property
    def infringing(self) -> bool: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def live(self) -> bool: ...


@dataclass
class Evaluation:
    true_positives: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    wrong_kind: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        relevant = len(self.true_positives) + len(self.missed)
        return len(self.true_positives) / relevant if relevant else 1.0

    def to_json(self) -> dict[str, object]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "true_positives": len(self.true_positives),
            "false_positives": sorted(self.false_positives),
            "missed": sorted(self.missed),
            "unreachable": sorted(self.unreachable),
            "wrong_kind": sorted(self.wrong_kind),
        }


def evaluate(flagged: dict[str, str | None], truth: Iterable[TruthLike]) -> Evaluation:
    """``flagged`` maps each flagged registered domain to the kind the registry gave it."""
    result = Evaluation()
    known = {entry.domain: entry for entry in truth}
    for domain, kind in flagged.items():
        entry = known.get(domain)
        if entry is None or not entry.infringing:
            result.false_positives.append(domain)
            continue
        result.true_positives.append(domain)
        if entry.kind is not None and kind is not None and kind != entry.kind:
            result.wrong_kind.append(f"{domain} ({kind}, truth {entry.kind})")
    for domain, entry in known.items():
        if not entry.infringing or domain in flagged:
            continue
        (result.missed if entry.live else result.unreachable).append(domain)
    return result
