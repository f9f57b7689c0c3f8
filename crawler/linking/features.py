"""A page's linking features: what :mod:`crawler.linking.link` looks up for a new domain.

Features are ``(kind, value)`` pairs: identifiers (``ga_ua``, ``wallet_btc``...), redirect
pointers (``points_to``: the registered domain a meta refresh or JS location sends to, with
how in the detail), favicon keys and template signature/band keys.  Built from the fetched
document alone, so the pipeline and tests compute them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.domains import registered_domain
from crawler.linking.favicon import favicon_key
from crawler.linking.identifiers import extract_identifiers
from crawler.linking.redirects import chain_proofs, page_redirects
from crawler.linking.template import signature

#: HTTP redirects are stored as pointers too, on the domain that redirected (the linking
#: pipeline reads them from the page's redirect chain with their status).
HTTP_POINTER_KINDS = ("http_301", "http_302", "http_303", "http_307", "http_308")
POINTER_KINDS = ("meta_refresh", "js_location", *HTTP_POINTER_KINDS)


@dataclass(frozen=True, order=True)
class Feature:
    """``kind`` and ``value`` are looked up; ``detail`` says where it came from."""

    kind: str
    value: str
    detail: str = ""


def chain_features(chain: list[str], reasons: list[int | str],
                   final_url: str) -> list[tuple[str, Feature]]:
    """``(source domain, feature)`` for each HTTP redirect of a chain that changes registered
    domain and whose status is known: the source domain's pointer to the target domain."""
    out = []
    meta = {"redirect_urls": chain, "redirect_reasons": reasons}
    for proof in chain_proofs(meta, final_url):
        source, target = registered_domain(proof.source), registered_domain(proof.target)
        if proof.how in HTTP_POINTER_KINDS and source and target and source != target:
            out.append((source, Feature(proof.how, target, f"{proof.source} -> {proof.target}")))
    return out


def page_features(url: str, content_type: str, body: bytes) -> list[Feature]:
    """Features of one fetched document (HTML page, icon or logo image)."""
    ctype = content_type.lower()
    if ctype.startswith("image/") or url.lower().split("?", 1)[0].endswith(".ico"):
        key = favicon_key(body)
        return [Feature("favicon", key, url)] if key else []
    own = registered_domain(url)
    out = [Feature(i.kind, i.value) for i in extract_identifiers(body, url)]
    for proof in page_redirects(body, url):
        target = registered_domain(proof.target)
        if target and target != own:
            out.append(Feature(proof.how, target, f"{proof.source} -> {proof.target}"))
    sig = signature(body)
    if sig is not None:
        out.append(Feature("template_sig", sig.to_hex(), str(sig.size)))
        out.extend(Feature("template_band", band) for band in sig.bands())
    return sorted(set(out))
