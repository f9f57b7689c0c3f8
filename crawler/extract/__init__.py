"""Parsers that turn fetched documents into typed facts: releases, magnets, torrents, lockers,
players, HLS manifests, M3U playlists, Xtream panels, XMLTV guides and reseller shops.

One module per concern. Every parser takes bytes or text from a hostile server and either
returns what it could extract or raises :class:`ParseError`; the spiders count the error by
parser name (``isop/parse_errors/<name>``) and keep whatever else the page gave.
"""

from __future__ import annotations


class ParseError(ValueError):
    """The document is not what the parser reads (not JSON, not bencode, not XML...)."""
