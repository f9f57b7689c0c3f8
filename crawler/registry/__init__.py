"""Monitored-site registry: sites (operations), their domains, evidence and checks.

Import from here; the submodules are an implementation detail.
"""

from crawler.registry.errors import RegistryUnavailable
from crawler.registry.store import Registry
from crawler.registry.views import AnalystLabel, EvidenceView, SiteHistory, SiteView

__all__ = [
    "AnalystLabel", "EvidenceView", "Registry", "RegistryUnavailable", "SiteHistory", "SiteView",
    "analyst_labels",
]  # fmt: skip


def analyst_labels(url: str) -> list[AnalystLabel]:
    """Analysts' latest verdict per site ("confirmed" / "false_positive"), for ``isop eval``:
    ground truth kept in the registry at ``url``."""
    with Registry.open(url) as registry:
        return registry.analyst_labels()
