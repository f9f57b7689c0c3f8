"""Link a newly flagged domain to the known site it belongs to, and record what proves it.

Called by the registry (``record_page_verdict``) inside its transaction, for a flagged page of
a domain no site owns yet.  The page's features were stored beforehand by
:class:`crawler.linking.pipeline.LinkingPipeline`; here they are looked up among the features
of domains that sites already own:

- *strong* proofs link on their own: an HTTP redirect from a known domain, a meta refresh or
  JS location on a known domain's page pointing here, a shared identifier (analytics, tag
  manager, ad publisher, wallet, Telegram, Discord, e-mail, panel host);
- *supporting* proofs (near-identical template, same favicon key, a name among the hop
  candidates of a matching site's domain: :mod:`crawler.linking.supporting`) are recorded
  with a strong one but link alone only when two kinds agree: the sandbox measurement (see
  README) shows unrelated sites built on one template kit share a skeleton, and letter
  favicons collide.

An identifier seen on domains of more than :data:`MAX_SITES_PER_VALUE` sites is someone
else's (an ad network's default tag, a shared panel) and proves nothing.  When a site is
chosen, :func:`hop_or_mirror` decides what the new domain is: a hop (a redirect from the
site's domain, or the site is down/parked/seized per the monitor: one ``site.hopped`` alert
in the same transaction) or a mirror beside a live primary (no alert).  The proofs are kept
either way, and the decision with its reason is a note in the site's history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.alerts.outbox import record_alert
from crawler.linking.features import HTTP_POINTER_KINDS, POINTER_KINDS
from crawler.linking.models import DomainLink, LinkFeature
from crawler.linking.supporting import (
    MAX_SITES_PER_VALUE,
    SUPPORTING,
    owned_by_site,
    supporting_proofs,
)
from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.models import Check, Domain, Site, SiteEvent

# A primary that answered (a monitor check up, a crawled page) this recently is live.
LIVE_WITHIN = timedelta(days=7)
_REDIRECT_PROOFS = frozenset({"http_redirect", *POINTER_KINDS})
# The monitor's verdicts that mean the old domain is gone (crawler.registry.checks.GONE).
GONE_STATUSES = frozenset({"down", "parked", "seized", "moved"})
_FEATURE_KINDS_NOT_IDENTIFIERS = ("template_sig", "template_band", "favicon", *POINTER_KINDS)


class PageLike(Protocol):
    """What linking needs of a page verdict (``crawler.registry.backend.PageVerdict``)."""

    @property
    def domain(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def seen_at(self) -> datetime: ...
    @property
    def aliases(self) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Proof:
    """One reason to link: ``kind`` (``http_redirect``, ``js_location``, ``ga4``,
    ``wallet_btc``, ``template``...), a readable ``detail`` and the site's domain involved."""

    kind: str
    detail: str
    via_domain: str
    # For pointers (redirects, meta refresh, JS location): True when the site's domain
    # sends visitors to the new one (a hop's signature), False for the other direction.
    from_site: bool = True

    @property
    def strong(self) -> bool:
        return self.kind not in SUPPORTING


@dataclass
class LinkDecision:
    """The site a new domain joins (None: a new site) and every proof found for it."""

    site: Site | None = None
    proofs: list[Proof] = field(default_factory=list)
    # A hop (the new domain becomes the primary, the old one former) or a mirror (attached
    # beside a primary that still answers); ``why`` says which and on what grounds.
    hop: bool = False
    why: str = ""

    @property
    def how_linked(self) -> str | None:
        """The first strong proof's kind (else the first proof's), for ``Domain.how_linked``."""
        ordered = sorted(self.proofs, key=lambda p: not p.strong)
        return ordered[0].kind[:32] if ordered else None


def link_page(session: Session, page: PageLike) -> LinkDecision:
    """Find the known site ``page.domain`` belongs to; record the proofs and the alert."""
    owned = session.scalar(select(Domain.id).where(Domain.domain == page.domain))
    if owned is not None:
        return LinkDecision()
    return link_to_site(session, page)


def link_to_site(session: Session, page: PageLike, exclude: int | None = None) -> LinkDecision:
    """The decision of :func:`link_page` for ``page.domain`` owned or not, among the sites
    other than ``exclude``; records the proofs, the note and the hop alert."""
    by_site: dict[int, list[Proof]] = defaultdict(list)
    for site_id, proof in _proofs(session, page):
        if site_id != exclude and proof not in by_site[site_id]:
            by_site[site_id].append(proof)
    decisive = {s: p for s, p in by_site.items() if _decisive(p)}
    if not decisive:
        return LinkDecision()
    site_id = min(decisive, key=lambda s: (-sum(p.strong for p in decisive[s]),
                                           -len(decisive[s]), s))
    site = session.scalars(select(Site).where(Site.id == site_id).with_for_update()).first()
    if site is None:  # merged into another by a concurrent relink since its proofs were read
        raise SiteMovedMeanwhile(f"site {site_id} was merged into another meanwhile")
    proofs = decisive[site_id]
    for proof in proofs:
        _record_proof(session, page, site_id, proof)
    hop, why = hop_or_mirror(session, site, proofs, page.seen_at)
    role = "the new primary (hop)" if hop else "a mirror"
    session.add(SiteEvent(site_id=site_id, kind="note", actor="linking", at=page.seen_at,
                          text=f"{page.domain} linked as {role}: {why}"))  # fmt: skip
    if hop:
        record_alert(session, event="site.hopped", site_id=site_id,
                     dedup_key=f"site.hopped:{site_id}:{page.domain}",
                     payload={"site_id": site_id, "site": site.label, "domain": page.domain,
                              "url": page.url, "seen_at": page.seen_at.isoformat(), "why": why,
                              "proofs": [{"kind": p.kind, "detail": p.detail, "via": p.via_domain}
                                         for p in proofs]})  # fmt: skip
    return LinkDecision(site, proofs, hop, why)


def hop_or_mirror(
    session: Session, site: Site, proofs: list[Proof], at: datetime
) -> tuple[bool, str]:
    """A new domain of a known site is a hop when the old domain sends visitors to it (a
    redirect, meta refresh or JS location from one of the site's domains) or when the
    monitor saw the site go down, parked or seized; otherwise, if the primary answered
    within :data:`LIVE_WITHIN` (a monitor check, or a crawled page), the operation runs both
    at once and the new domain is a mirror (the primary, and the coordinators, stay put).
    A primary silent for longer (a candidate site, which the monitor does not visit) is
    presumed gone: a hop."""
    sent = [p for p in proofs if p.from_site and p.kind in _REDIRECT_PROOFS]
    if sent:
        return True, f"{sent[0].via_domain} redirects here ({sent[0].kind})"
    if site.status in GONE_STATUSES:
        when = site.status_changed_at
        since = f" since {when:%Y-%m-%d %H:%M}" if when is not None else ""
        return True, f"the site is {site.status} per the monitor{since}"
    primary = session.scalars(select(Domain).where(Domain.site_id == site.id,
                                                   Domain.role == "primary")).first()  # fmt: skip
    if primary is None:
        return True, "the site has no primary domain left"
    up = session.scalar(select(Check.at).where(
        Check.site_id == site.id, Check.domain == primary.domain, Check.outcome == "up",
    ).order_by(Check.at.desc()).limit(1))  # fmt: skip
    seen = max(t for t in (up, primary.last_seen) if t is not None)
    how = "answered the monitor" if up is not None and up >= primary.last_seen else "was crawled"
    if at - seen > LIVE_WITHIN:
        return True, f"the primary {primary.domain} is silent (last {how} at {seen:%Y-%m-%d %H:%M})"
    return False, f"the primary {primary.domain} is live ({how} at {seen:%Y-%m-%d %H:%M})"


def _decisive(proofs: list[Proof]) -> bool:
    """A strong proof, or supporting proofs of two kinds (template and favicon, favicon and
    a guessable name...)."""
    return any(p.strong for p in proofs) or len({p.kind for p in proofs}) >= 2


def _proofs(session: Session, page: PageLike) -> list[tuple[int, Proof]]:
    out: list[tuple[int, Proof]] = []
    pointers = _pointer_proofs(session, page.domain)
    # A redirect whose HTTP status was stored (http_301...) is proven by that pointer.
    with_status = {p.via_domain for _, p in pointers if p.kind in HTTP_POINTER_KINDS}
    redirects = [alias for alias, how in page.aliases
                 if how == "redirect" and alias not in with_status]  # fmt: skip
    if redirects:
        for domain, site_id in session.execute(
                select(Domain.domain, Domain.site_id).where(Domain.domain.in_(redirects))):
            out.append((site_id, Proof("http_redirect", f"{domain} -> {page.domain} "
                                       f"(redirect chain to {page.url})", domain)))
    out += pointers
    mine = list(session.scalars(select(LinkFeature).where(LinkFeature.domain == page.domain)))
    out += _identifier_proofs(session, page.domain, mine)
    out += [(site_id, Proof(kind, detail, via))
            for site_id, kind, detail, via in supporting_proofs(session, page.domain, mine)]
    return out


def _pointer_proofs(session: Session, domain: str) -> list[tuple[int, Proof]]:
    """A known domain's page sends here, or this domain's page sends to a known domain."""
    rows = list(session.scalars(select(LinkFeature).where(
        LinkFeature.kind.in_(POINTER_KINDS), LinkFeature.value == domain)))
    owners = owned_by_site(session, {r.domain for r in rows})
    out = [(owners[r.domain], Proof(r.kind, f"{r.url}: {r.kind.replace('_', ' ')} to {domain}",
                                    r.domain)) for r in rows if r.domain in owners]
    mine = list(session.scalars(select(LinkFeature).where(
        LinkFeature.kind.in_(POINTER_KINDS), LinkFeature.domain == domain)))
    targets = owned_by_site(session, {r.value for r in mine})
    out += [(targets[r.value], Proof(r.kind, f"{r.url}: {r.kind.replace('_', ' ')} to {r.value}",
                                     r.value, from_site=False))
            for r in mine if r.value in targets]  # fmt: skip
    return out


def _identifier_proofs(session: Session, domain: str,
                       mine: list[LinkFeature]) -> list[tuple[int, Proof]]:
    ids = [f for f in mine if f.kind not in _FEATURE_KINDS_NOT_IDENTIFIERS]
    out: list[tuple[int, Proof]] = []
    for feature in ids:
        rows = list(session.scalars(select(LinkFeature).where(
            LinkFeature.kind == feature.kind, LinkFeature.value == feature.value,
            LinkFeature.domain != domain).limit(200)))
        owners = owned_by_site(session, {r.domain for r in rows})
        if len(set(owners.values())) > MAX_SITES_PER_VALUE:
            continue  # shared by many operations: not this one's
        for row in rows:
            if row.domain in owners:
                out.append((owners[row.domain], Proof(
                    feature.kind, f"{feature.value} also on {row.url}",
                    row.domain)))
    return out


def _record_proof(session: Session, page: PageLike, site_id: int, proof: Proof) -> None:
    exists = session.scalar(select(DomainLink.id).where(
        DomainLink.domain == page.domain, DomainLink.site_id == site_id,
        DomainLink.proof == proof.kind[:32], DomainLink.via_domain == proof.via_domain))
    if exists is None:
        session.add(DomainLink(domain=page.domain, site_id=site_id, proof=proof.kind[:32],
                               detail=proof.detail, via_domain=proof.via_domain,
                               source_url=page.url, seen_at=page.seen_at))


@dataclass(frozen=True)
class DomainProof:
    """One line of ``isop sites show``: a domain of the site and what linked it."""

    domain: str
    role: str
    first_seen: datetime
    how_linked: str
    proofs: tuple[tuple[str, str], ...]  # (proof kind, detail), strongest first


def domain_proofs(session: Session, site_id: int) -> list[DomainProof]:
    """The site's domains in order of appearance, each with the proofs recorded for it."""
    links: dict[str, list[DomainLink]] = defaultdict(list)
    for link in session.scalars(select(DomainLink).where(DomainLink.site_id == site_id)
                                .order_by(DomainLink.seen_at, DomainLink.id)):
        links[link.domain].append(link)
    out = []
    for dom in session.scalars(select(Domain).where(Domain.site_id == site_id)
                               .order_by(Domain.first_seen, Domain.id)):
        found = sorted(links.get(dom.domain, []), key=lambda d: d.proof in SUPPORTING)
        out.append(DomainProof(dom.domain, dom.role, dom.first_seen, dom.how_linked,
                               tuple((d.proof, d.detail) for d in found)))
    return out
