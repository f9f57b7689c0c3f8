"""Feed exporters for ``scrapy crawl NAME -O out.jsonl`` (or ``.json``): every item as JSON.

Scrapy's JSON encoder already turns the typed items' nested frozen dataclasses into objects,
tuples into lists and datetimes into ISO strings; what it refuses is ``bytes``: the bodies of
:class:`~crawler.items.PageItem` and :class:`~crawler.items.ImageItem`, so that without this
every page of a crawl logged an export error and was missing from the file. A body is
exported as its length and SHA-256 (the registry's evidence keys bodies the same way), never
as its bytes: a feed is for analysis, the WARC capture keeps the bytes.
"""

from __future__ import annotations

import hashlib
import math
from io import BytesIO
from typing import Any

from scrapy.exporters import JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder


class ItemJSONEncoder(ScrapyJSONEncoder):
    """Scrapy's encoder plus bytes (as ``{"bytes": n, "sha256": hex}``); NaN/inf as null."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | bytearray | memoryview):
            data = bytes(o)
            return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        return _finite(super().default(o))  # nested items arrive here as dicts

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        return super().iterencode(_finite(o), _one_shot)


def _finite(value: Any) -> Any:
    """NaN and infinities (not JSON) as null, in the plain containers an item dict holds."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class JsonLinesExporter(JsonLinesItemExporter):
    """``-O out.jsonl``: one item a line, bodies as length + hash."""

    def __init__(self, file: BytesIO, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.encoder = ItemJSONEncoder(**self._kwargs)


class JsonExporter(JsonItemExporter):
    """``-O out.json``: one array of items, bodies as length + hash."""

    def __init__(self, file: BytesIO, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.encoder = ItemJSONEncoder(**self._kwargs)


#: ``FEED_EXPORTERS`` for the add-on: Scrapy's JSON formats, with the encoder above.
FEED_EXPORTERS = {
    "json": "crawler.facts.export.JsonExporter",
    "jsonlines": "crawler.facts.export.JsonLinesExporter",
    "jsonl": "crawler.facts.export.JsonLinesExporter",
    "jl": "crawler.facts.export.JsonLinesExporter",
}
