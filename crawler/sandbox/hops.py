"""Extra operations that hop without an HTTP redirect: ground truth for domain linking.

Only built with ``build_web(seed, extras=("hops",))`` (``isop sandbox serve --hops``), so the
default web stays byte-identical.  Each operation's new domain is a separate roster entry
(another template, other analytics IDs: a fresh start) whose truth ``site`` is the old
operation's, and the two share only what an operator really carries over:

- ``kinohop``: a Telegram channel, a USDT (TRC-20) wallet and a contact address, in a footer
  on every page of both domains;
- ``magnetzone``: the old home page sends browsers to the new domain with an inline-script
  ``location.replace`` (crawlers that do not run scripts stay);
- ``iptvking``: the old shop's home page has a delayed ``<meta http-equiv="refresh">``;
- ``decoyflix``: an unrelated operator on kinohop's template kit with identifiers of its own
  (must stay a site of its own).
"""

from __future__ import annotations

from .model import TruthEntry
from .origin import Origin
from .roster import OpSpec, _op

HOP_OPERATIONS: tuple[OpSpec, ...] = (
    _op("kinohop", "KinoHop", "stream_grid", "en", "streaming", "kinohop.lol:primary",
        "vidstreamz embedflix", server="cloudflare"),
    _op("kinohop-new", "KinoHop HD", "stream_list", "en", "streaming", "kinohop.click:primary",
        "vidstreamz embedflix", server="cloudflare"),
    _op("magnetzone", "MagnetZone", "torrent_grid", "en", "index", "magnetzone.sbs:primary",
        "", server="cloudflare"),
    _op("magnetzone-new", "MagnetZone", "torrent_table", "en", "index", "magnetzone.cfd:primary",
        "", server="cloudflare"),
    _op("iptvking", "IPTV King", "iptv_shop", "en", "iptv", "iptvking.bond:primary",
        "primeplus-panel", server="cloudflare"),
    _op("iptvking-new", "IPTV King", "iptv_lists", "en", "iptv", "iptvking.cyou:primary",
        "primeplus-panel", server="cloudflare"),
    _op("decoyflix", "DecoyFlix", "stream_grid", "en", "streaming", "decoyflix.top:primary",
        "vidstreamz embedflix", server="cloudflare"),
)

#: New-domain operation -> the operation it is (the truth's ``site``).
SAME_SITE: dict[str, str] = {"kinohop-new": "kinohop", "magnetzone-new": "magnetzone",
                             "iptvking-new": "iptvking"}

# Identifiers in a footer on every HTML page of these operations (public test vectors for the
# wallets: Tron's USDT contract address, Bitcoin's genesis address).
_FOOTERS: dict[str, str] = {
    "kinohop": '<footer class="contact">Join us on <a href="https://t.me/kinohop_hd">Telegram'
               '</a> &middot; Donate USDT (TRC20): TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t &middot; '
               'DMCA: <a href="mailto:dmca.kinohop@proton.me">dmca.kinohop@proton.me</a>'
               '</footer>',
    "decoyflix": '<footer class="contact">Telegram: <a href="https://t.me/decoyflix_official">'
                 '@decoyflix_official</a> &middot; BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'
                 '</footer>',
}
_FOOTERS["kinohop-new"] = _FOOTERS["kinohop"]
# The old home page's pointer to the new domain, inserted before </head>.
_POINTERS: dict[str, str] = {
    "magnetzone": '<script>if (!/bot|crawl|spider/i.test(navigator.userAgent)) '
                  '{ window.location.replace("http://magnetzone.cfd/"); }</script>',
    "iptvking": '<meta http-equiv="refresh" content="8; url=http://iptvking.cyou/">',
}


def decorate(origins: dict[tuple[str, int], Origin]) -> None:
    """Add the footers and pointers to the hop operations' pages (after they are built)."""
    for origin in origins.values():
        footer = _FOOTERS.get(origin.site)
        pointer = _POINTERS.get(origin.site)
        if origin.mode != "serve" or not (footer or pointer):
            continue
        for path, res in origin.resources.items():
            if not res.content_type.startswith("text/html") or not isinstance(res.body, bytes):
                continue
            html = res.body.decode("utf-8")
            if footer and "</body>" in html:
                html = html.replace("</body>", footer + "</body>", 1)
            if pointer and path == "/" and "</head>" in html:
                html = html.replace("</head>", pointer + "</head>", 1)
            res.body = html.encode("utf-8")


def retruth(entries: list[TruthEntry]) -> list[TruthEntry]:
    """The truth with each new domain filed under the operation it really is."""
    return [TruthEntry(e.domain, e.infringing, e.kind, SAME_SITE.get(e.site, e.site), e.role,
                       e.live, e.lang) for e in entries]
