"""Supporting proofs: alike, but not enough alone to say two domains are one operation.

- *template*: the page's MinHash signature is near-identical to a known domain's;
- *favicon*: the favicon key is a known domain's (letter icons of unrelated sites collide:
  two pairs among the sandbox's 57 sites do);
- *hop_name*: the new domain is among the hop candidates of a known domain of a site that
  already matched by template or favicon (``flixtorrent.to`` -> ``flixtorrent.cc``).  Looked
  for only there: a name alone proves nothing (clones copy famous names), but a look-alike
  icon *and* a guessable name, or a template *and* a name, do.

:func:`crawler.linking.link.link_page` links on two supporting proofs of different kinds.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.linking.models import LinkFeature
from crawler.linking.template import TemplateSignature
from crawler.registry.models import Domain

MAX_SITES_PER_VALUE = 2
TEMPLATE_MIN_SIMILARITY = 0.9
#: Candidates of each known domain searched for the new one (the monitor's probe budget).
NAME_BUDGET = 200
MAX_NAME_DOMAINS = 20  # domains of one site whose candidates are generated
SUPPORTING = ("template", "favicon", "hop_name")

Found = tuple[int, str, str, str]  # (site id, proof kind, detail, the site's domain)


def owned_by_site(session: Session, domains: set[str]) -> dict[str, int]:
    """domain -> owning site id, for those of ``domains`` that a site owns."""
    if not domains:
        return {}
    rows = session.execute(select(Domain.domain, Domain.site_id)
                           .where(Domain.domain.in_(sorted(domains))))
    return {domain: site_id for domain, site_id in rows}


def supporting_proofs(session: Session, domain: str, mine: list[LinkFeature]) -> list[Found]:
    """Template and favicon proofs of ``domain`` (features ``mine``), then name proofs
    towards the sites those found."""
    out = _favicon_proofs(session, domain, mine) + _template_proofs(session, domain, mine)
    return out + name_proofs(session, domain, {site for site, *_ in out})


def name_proofs(session: Session, domain: str, sites: set[int]) -> list[Found]:
    """``hop_name`` for each of ``sites`` one of whose domains has ``domain`` among its hop
    candidates."""
    from crawler.linking.hops import explained_candidates  # the generator loads its data

    out: list[Found] = []
    for site_id in sorted(sites):
        for known in session.scalars(select(Domain.domain).where(Domain.site_id == site_id)
                                     .order_by(Domain.first_seen).limit(MAX_NAME_DOMAINS)):
            for place, (cand, family) in enumerate(explained_candidates(known, NAME_BUDGET), 1):
                if cand == domain:
                    out.append((site_id, "hop_name",
                                f"{domain} is hop candidate #{place} of {known} ({family})",
                                known))  # fmt: skip
                    break
    return out


def _favicon_proofs(session: Session, domain: str, mine: list[LinkFeature]) -> list[Found]:
    icons = [f.value for f in mine if f.kind == "favicon"]
    if not icons:
        return []
    rows = list(session.scalars(select(LinkFeature).where(
        LinkFeature.kind == "favicon", LinkFeature.value.in_(icons),
        LinkFeature.domain != domain).limit(200)))
    owners = owned_by_site(session, {r.domain for r in rows})
    if len(set(owners.values())) > MAX_SITES_PER_VALUE:
        return []
    return [(owners[r.domain], "favicon", f"favicon {r.value} as {r.url}", r.domain)
            for r in rows if r.domain in owners]


def _template_proofs(session: Session, domain: str, mine: list[LinkFeature]) -> list[Found]:
    sigs = [f for f in mine if f.kind == "template_sig"]
    bands = [f.value for f in mine if f.kind == "template_band"]
    if not sigs or not bands:
        return []
    sig = TemplateSignature.from_hex(sigs[0].value)
    near = set(session.scalars(select(LinkFeature.domain).where(
        LinkFeature.kind == "template_band", LinkFeature.value.in_(bands),
        LinkFeature.domain != domain).limit(500)))
    owners = owned_by_site(session, near)
    best: dict[str, tuple[float, str]] = {}
    for row in session.scalars(select(LinkFeature).where(
            LinkFeature.kind == "template_sig", LinkFeature.domain.in_(sorted(owners)))):
        score = sig.similarity(TemplateSignature.from_hex(row.value))
        if score >= TEMPLATE_MIN_SIMILARITY and score > best.get(row.domain, (0.0, ""))[0]:
            best[row.domain] = (score, row.url)
    return [(owners[other], "template", f"template {score:.0%} like {url}", other)
            for other, (score, url) in best.items()]
