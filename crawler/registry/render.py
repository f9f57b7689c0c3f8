"""Human view of the registry for ``isop sites`` (the JSON view is ``SiteView.to_json``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.table import Table
from rich.text import Text

from crawler.registry.observed import ObservationSummary
from crawler.registry.views import SiteHistory, SiteView

# Statuses an analyst should look at first stand out; the rest stay plain.
_STATUS_STYLE = {
    "confirmed": "bold red",
    "monitored": "red",
    "candidate": "yellow",
    "moved": "magenta",
    "down": "dim",
    "parked": "dim",
    "seized": "green",
    "false_positive": "dim strike",
}


def sites_table(sites: Iterable[SiteView]) -> Table:
    """A table of sites, in the order given (the registry lists highest score first)."""
    table = Table(title="Registry", show_lines=False)
    table.add_column("Site", style="bold", no_wrap=True)
    table.add_column("Other domains", overflow="fold")
    table.add_column("Kind")
    table.add_column("Status")
    table.add_column("Score", justify="right")
    table.add_column("Evidence", justify="right")
    table.add_column("First seen (UTC)", no_wrap=True)
    table.add_column("Last seen (UTC)", no_wrap=True)
    count = 0
    for site in sites:
        count += 1
        table.add_row(
            site.label,
            ", ".join(d for d in site.domains if d != site.label),
            site.kind or "-",
            Text(site.status, style=_STATUS_STYLE.get(site.status, "")),
            f"{site.score:.2f}",
            str(site.evidence_count),
            _when(site.first_seen),
            _when(site.last_seen),
        )
    table.caption = f"{count} site{'' if count == 1 else 's'}"
    return table


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def history_tables(history: SiteHistory) -> list[Table]:
    """``isop sites show``: the site, its domains with proofs, then its history, oldest first."""
    site = history.site
    head = Table(title=f"Site {site.label}", show_header=False)
    head.add_column("", style="bold")
    head.add_column("")
    head.add_row("Status", Text(site.status, style=_STATUS_STYLE.get(site.status, "")))
    head.add_row("Kind", site.kind or "-")
    head.add_row("Score", f"{site.score:.2f}")
    head.add_row("Analyst verdict", history.verdict or "-")
    head.add_row("Operator cluster", history.operator_cluster or "-")
    for member in history.cluster:
        shared = ", ".join(f"{kind} {value}" for kind, value in member["shared"])
        head.add_row("", f"{member['site']} (shares {shared})")
    head.add_row("First / last seen", f"{_when(site.first_seen)} / {_when(site.last_seen)}")
    head.add_row("Next check", _when(history.next_check_at) if history.next_check_at else "-")
    head.add_row("Evidence", str(site.evidence_count))

    domains = Table(title="Domains, in order of appearance")
    for name in ("Domain", "Role", "Linked by", "Proofs", "First seen", "Last seen"):
        domains.add_column(name, overflow="fold")
    for d in history.domains:
        proofs = "; ".join(_proof(p) for p in d.proofs) or "-"
        domains.add_row(d.domain, d.role, d.how_linked, proofs, _when(d.first_seen),
                        _when(d.last_seen))  # fmt: skip

    events = Table(title="History")
    for name in ("When (UTC)", "What", "Who", "Detail"):
        events.add_column(name, overflow="fold")
    for e in history.events:
        what = f"{e.old or '-'} -> {e.new}" if e.kind == "status" else e.kind
        if e.kind == "verdict":
            what = f"verdict: {e.new}"
        events.add_row(_when(e.at), what, e.actor, e.text or "")

    checks = Table(title="Checks")
    for name in ("When (UTC)", "Outcome", "HTTP", "ms", "Changed", "Redirects / error"):
        checks.add_column(name, overflow="fold")
    for c in history.checks:
        detail = c.error or " -> ".join(c.redirect_chain)
        changed = {None: "-", True: "yes", False: "no"}[c.fingerprint_changed]
        checks.add_row(_when(c.at), c.outcome or "-", str(c.http_status or "-"),
                       f"{c.response_ms:.0f}" if c.response_ms is not None else "-", changed,
                       detail)  # fmt: skip

    scores = Table(title="Score history")
    scores.add_column("When (UTC)")
    scores.add_column("Score", justify="right")
    for at, score in history.scores:
        scores.add_row(_when(at), f"{score:.2f}")

    evidence = Table(title="Evidence")
    for name in ("Captured (UTC)", "Score", "URL", "SHA-256"):
        evidence.add_column(name, overflow="fold")
    for ev in history.evidence:
        evidence.add_row(_when(ev.captured_at), f"{ev.score:.2f}", ev.url, ev.content_sha256[:16])
    return [head, domains, events, checks, scores, evidence]


def _proof(proof: dict[str, object]) -> str:
    kind = proof.get("proof") or proof.get("kind") or proof.get("how") or "proof"
    detail = proof.get("detail") or proof.get("value") or proof.get("evidence") or ""
    return f"{kind}: {detail}" if detail else str(kind)


def observations_table(summary: ObservationSummary) -> list[Table]:
    """``isop sites show``: what the spiders observed (counts, then the top few of each)."""
    if summary.empty:
        return []
    table = Table(title="Observed (typed items of the index, streaming and iptv spiders)",
                  show_header=False)  # fmt: skip
    table.add_column("", style="bold")
    table.add_column("", overflow="fold")
    counts = ", ".join(f"{kind} {n}" + (f" ({summary.flagged[kind]} flagged)"
                                        if summary.flagged.get(kind) else "")
                       for kind, n in sorted(summary.counts.items()))  # fmt: skip
    table.add_row("Counts", counts)
    # Scraped text is shown as text: a title holding "[/bold]" is no Rich markup (it raised).
    rows: list[tuple[str, str]] = []
    for r in summary.releases:
        seeders = f", {r['seeders']} seeders" if r.get("seeders") is not None else ""
        rows.append(("Release", f"{r['title']} (btih {r['infohash']}{seeders})"))
    for w in summary.works:
        rows.append(("Protected work", f"{w['work']}: {w['releases']} release(s)"))
    for p in summary.playlists:
        rows.append(("Playlist", f"{p['url']} ({p['channels']} channels"
                                 f"{', flagged' if p['flagged'] else ''})"))  # fmt: skip
    for p in summary.panels:
        rows.append(("Panel", f"{p['base']} (line {p.get('credential') or '-'}, status "
                              f"{p['status'] or '-'}, {p['categories']} categories"
                              f"{', flagged' if p['flagged'] else ''})"))  # fmt: skip
    for h in summary.stream_hosts:
        rows.append(("Stream host", f"{h['host']} ({h['seen']}x)"))
    for m in summary.manifests:
        drm = ", ".join(m["drm"]) or "no DRM"
        rows.append((f"{m['kind'].upper()} manifest",
                     f"{m['url']} ({'live' if m['live'] else 'VOD'}, {drm}"
                     f"{', licensed DRM: counter-evidence' if m['licensed_drm'] else ''})"))
    for label, value in rows:
        table.add_row(label, Text(value))
    return [table]
