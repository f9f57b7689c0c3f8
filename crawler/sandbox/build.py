"""Assemble the sandbox web for a seed: render every operation's domains, add hop behaviour
(former domains that 301, dead ones), publish truth and choose seeds."""

from __future__ import annotations

from .catalog import build_catalog
from .graph import domain_graph, hops_from
from .model import TruthEntry
from .origin import Origin
from .roster import OPERATIONS, SEED_SITES, OpSpec
from .sites import BUILDERS
from .sites.base import Directory, SiteContext
from .web import SandboxWeb

MAX_HOPS = 3


def _alias(origins: dict[tuple[str, int], Origin], op: OpSpec, domain: str, role: str) -> None:
    """www.<domain>: 301 to the apex (or to the new domain for a former one), dead if dead."""
    www = f"www.{domain}"
    if (www, 80) in origins:
        return
    if role == "dead":
        origins[(www, 80)] = Origin(www, 80, domain, op.site, mode=op.dead_mode)
    else:
        target = op.primary if role == "former" else domain
        origins[(www, 80)] = Origin(www, 80, domain, op.site, mode="redirect",
                                    target=f"http://{target}", server=op.server)


def build_web(seed: int = 1, extras: tuple[str, ...] = ()) -> SandboxWeb:
    """Generate the whole web for ``seed``; the same seed always gives byte-identical content.

    ``extras=("hops",)`` adds the operations that hop without a redirect (linking's ground
    truth, see :mod:`crawler.sandbox.hops`); without it nothing of them exists.
    """
    from . import hops

    unknown = set(extras) - {"hops"}
    if unknown:
        raise ValueError(f"unknown sandbox extras: {', '.join(sorted(unknown))}")
    operations = OPERATIONS + (hops.HOP_OPERATIONS if "hops" in extras else ())
    catalog = build_catalog()
    directory = Directory({op.site: op for op in operations})
    origins: dict[tuple[str, int], Origin] = {}
    truth: list[TruthEntry] = []
    for op in operations:
        for domain, role in op.domains:
            if role in ("primary", "mirror"):
                BUILDERS[op.template](SiteContext(seed, op, domain, catalog, directory, origins))
            elif role == "former":
                origins[(domain, 80)] = Origin(domain, 80, domain, op.site, mode="redirect",
                                               target=f"http://{op.primary}", server=op.server)
            elif role == "dead":
                origins[(domain, 80)] = Origin(domain, 80, domain, op.site, mode=op.dead_mode)
            else:
                raise ValueError(f"unknown role {role!r} for {domain}")
            _alias(origins, op, domain, role)
            truth.append(TruthEntry(domain=domain, infringing=op.infringing, kind=op.kind,
                                    site=op.site, role=role, live=role in ("primary", "mirror"),
                                    lang=op.lang))
    if "hops" in extras:
        hops.decorate(origins)
        seeds = _choose_seeds(origins, truth)
        return SandboxWeb(seed, catalog, origins, hops.retruth(truth), seeds)
    return SandboxWeb(seed, catalog, origins, truth, _choose_seeds(origins, truth))


def _choose_seeds(origins: dict[tuple[str, int], Origin], truth: list[TruthEntry]) -> list[str]:
    """The roster's seed sites, plus any live site not reachable from them within MAX_HOPS."""
    by_site = {e.site: e.domain for e in truth if e.role == "primary"}
    starts = [by_site[s] for s in SEED_SITES]
    graph = domain_graph(origins, fast=True)
    dist = hops_from(graph, starts)
    for entry in truth:
        if entry.live and dist.get(entry.domain, MAX_HOPS + 1) > MAX_HOPS:
            starts.append(by_site.get(entry.site, entry.domain))
            dist = hops_from(graph, starts)
    return [f"http://{d}/" for d in starts]
