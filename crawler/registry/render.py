"""Human view of the registry for ``isop sites`` (the JSON view is ``SiteView.to_json``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.table import Table
from rich.text import Text

from crawler.registry.views import SiteView

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
