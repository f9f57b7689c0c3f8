"""XMLTV guides: channels (id, display names, icons) and programme counts, read with a
non-resolving, non-networking parser (guides come from the same hostile servers)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import lxml.etree as etree

from crawler.extract import ParseError

MAX_GUIDE_BYTES = 100_000_000
MAX_CHANNELS = 50_000


@dataclass(frozen=True)
class GuideChannel:
    """One ``<channel>``: its id (matches tvg-id), names and logo URLs."""

    id: str
    names: tuple[str, ...]
    icons: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    """A parsed XMLTV document."""

    root: str  # the root element: 'tv' for XMLTV; other guide formats parse but list nothing
    generator: str
    source: str
    channels: tuple[GuideChannel, ...]
    programme_count: int
    programme_channels: int  # distinct channels that have programmes


def parse_xmltv(body: bytes) -> Guide:
    """Channels and programme counts; ParseError if it is not XML at all."""
    if len(body) > MAX_GUIDE_BYTES:
        raise ParseError("guide too large")
    channels: list[GuideChannel] = []
    programmes = 0
    with_programmes: set[str] = set()
    root_attrs: dict[str, str] = {}
    context = etree.iterparse(BytesIO(body), events=("start", "end"), resolve_entities=False,
                              no_network=True, load_dtd=False, huge_tree=False, recover=True)
    try:
        for event, element in context:
            if event == "start":
                if not root_attrs and isinstance(element.tag, str):
                    root_attrs = {k: str(v) for k, v in element.attrib.items()}
                    root_attrs["_"] = element.tag
                continue
            if element.tag == "channel" and len(channels) < MAX_CHANNELS:
                channels.append(GuideChannel(
                    id=element.get("id", ""),
                    names=tuple((n.text or "").strip() for n in element.iter("display-name")),
                    icons=tuple(i.get("src", "") for i in element.iter("icon") if i.get("src")),
                ))  # fmt: skip
                element.clear()
            elif element.tag == "programme":
                programmes += 1
                with_programmes.add(element.get("channel", ""))
                element.clear()
    except etree.XMLSyntaxError as exc:
        if not root_attrs:
            raise ParseError(f"xmltv: {exc}") from None
    if not root_attrs:
        raise ParseError("not an XML document")
    return Guide(
        root=root_attrs["_"],
        generator=root_attrs.get("generator-info-name", ""),
        source=root_attrs.get("source-info-url", "") or root_attrs.get("source-info-name", ""),
        channels=tuple(channels),
        programme_count=programmes,
        programme_channels=len(with_programmes - {""}),
    )
