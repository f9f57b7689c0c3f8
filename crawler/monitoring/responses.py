"""Reading a monitor response: its visible text and title (bounded), its timing, and the
item that sends the page on to detection and the registry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.domains import registered_domain
from crawler.items import PageItem
from crawler.monitoring.classify import visible_text
from crawler.pages import classify as page_kind

_TITLE_CHARS = 300


def scheduled_for(meta: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(meta["isop_scheduled_for"])
    except (KeyError, TypeError, ValueError):
        return None


def latency_ms(meta: dict[str, Any]) -> float | None:
    latency = meta.get("download_latency")
    return round(float(latency) * 1000, 1) if latency is not None else None


def text_and_title(response: Response, limit: int) -> tuple[str, str | None]:
    """Visible text and ``<title>`` of an HTML answer (bounded); nothing for anything else."""
    if not isinstance(response, TextResponse):
        return "", None
    try:
        html = response.text[:limit]
    except (UnicodeDecodeError, LookupError):
        return "", None
    titles = response.xpath("//title/text()").getall() if "<" in html else []
    title = " ".join(" ".join(titles).split())[:_TITLE_CHARS] or None
    return visible_text(html), title


def page_item(response: Response) -> PageItem:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return PageItem(
        url=response.url,
        domain=registered_domain(response.url),
        status=response.status,
        content_type=content_type,
        kind=page_kind(content_type, response.body),
        body=response.body,
        fetched_at=datetime.now(UTC),
        redirect_chain=list(response.meta.get("redirect_urls", [])),
    )
