"""Monitored-site registry: sites (operations), their domains, evidence and checks.

Import from here; the submodules are an implementation detail.
"""

from crawler.registry.errors import RegistryUnavailable
from crawler.registry.store import Registry
from crawler.registry.views import EvidenceView, SiteView

__all__ = ["EvidenceView", "Registry", "RegistryUnavailable", "SiteView"]
