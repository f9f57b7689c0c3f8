"""Tables of linking: what each domain's pages carried, and what linked a domain to a site.

``link_features`` holds the identifiers, redirect pointers, favicon keys and template band
keys seen on a domain's flagged pages; a new domain is linked by looking its features up
among the features of domains a site already owns (an index lookup on ``(kind, value)``).
``domain_links`` is the proof record: one row per (domain, site, proof kind, via domain),
which ``isop sites show`` prints next to each domain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crawler.registry.models import DOMAIN_LEN, Base
from crawler.registry.types import UTCDateTime

KIND_LEN = 32
VALUE_LEN = 600  # a template signature is 512 hex digits; identifiers are far shorter


class LinkFeature(Base):
    """One feature (``kind``, ``value``) seen on a registered domain, first at ``seen_at``."""

    __tablename__ = "link_features"
    __table_args__ = (
        UniqueConstraint("domain", "kind", "value", name="uq_link_features_entry"),
        Index("ix_link_features_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    kind: Mapped[str] = mapped_column(String(KIND_LEN))
    value: Mapped[str] = mapped_column(String(VALUE_LEN))
    url: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DomainLink(Base):
    """Proof that ``domain`` belongs to ``site``: ``proof`` kind, human ``detail``, the site's
    domain it was shared with or came from (``via_domain``) and the page that showed it."""

    __tablename__ = "domain_links"
    __table_args__ = (
        UniqueConstraint("domain", "site_id", "proof", "via_domain", name="uq_domain_links_proof"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_LEN), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    proof: Mapped[str] = mapped_column(String(KIND_LEN))
    detail: Mapped[str] = mapped_column(Text)
    via_domain: Mapped[str] = mapped_column(String(DOMAIN_LEN))
    source_url: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
