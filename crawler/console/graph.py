"""The operator cluster of a site as a small inline SVG, drawn by the server.

Only trusted structure goes in (roles, how each domain was linked); domain names are
scraped, so every text node is XML-escaped here and the result carries no script, no
link and no external reference.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from markupsafe import Markup

ROLE_FILL = {"primary": "#c0392b", "alias": "#2980b9", "mirror": "#8e44ad", "former": "#7f8c8d"}
MAX_NODES = 24


def cluster_svg(links: list[dict[str, Any]], width: int = 520, height: int = 320) -> Markup:
    """The primary domain in the middle, the other domains around it, edges labelled with
    how they were linked; at most ``MAX_NODES`` domains (the rest are counted)."""
    if not links:
        return Markup("")
    centre = links[0]
    others = links[1:MAX_NODES]
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cluster" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
             "<title>Domains of this operation</title>"]  # fmt: skip
    nodes = []
    for index, link in enumerate(others):
        angle = 2 * math.pi * index / max(1, len(others))
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        parts.append(f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}" '
                     'stroke="#999" stroke-width="1.5"/>')  # fmt: skip
        mx, my = (cx + x) / 2, (cy + y) / 2
        parts.append(f'<text x="{mx:.0f}" y="{my:.0f}" class="edge">'
                     f"{escape(str(link.get('how_linked', '')))}</text>")  # fmt: skip
        nodes.append((x, y, link))
    nodes.append((cx, cy, centre))
    for x, y, link in nodes:
        fill = ROLE_FILL.get(str(link.get("role")), "#34495e")
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="9" fill="{fill}"/>')
        parts.append(f'<text x="{x:.0f}" y="{y + 22:.0f}" class="node">'
                     f"{escape(str(link.get('domain', ''))[:60])}</text>")  # fmt: skip
    hidden = len(links) - 1 - len(others)
    if hidden > 0:
        parts.append(f'<text x="8" y="{height - 8}" class="edge">+{hidden} more domains</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
