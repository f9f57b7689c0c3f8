"""When a leased request is acknowledged: after its callback's output has been read AND every
item of it has left the item pipelines (scraped, dropped or failed).

Pure logic with Scrapy's real signal manager; a recording scheduler stands in for the
frontier (the fleet tests cover the frontier itself).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy import Request, signals
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager

from crawler.frontier.leases import LeaseAcknowledger


class _Scheduler:
    def __init__(self) -> None:
        self.finished: list[str] = []

    def finish(self, request: Request) -> None:
        self.finished.append(request.url)


def _middleware() -> tuple[LeaseAcknowledger, _Scheduler, SignalManager]:
    scheduler = _Scheduler()
    crawler: Any = SimpleNamespace(
        settings=Settings({"SCHEDULER": "crawler.frontier.scheduler.FrontierScheduler"}),
        signals=SignalManager(),
        engine=SimpleNamespace(_slot=SimpleNamespace(scheduler=scheduler)),
    )
    return LeaseAcknowledger.from_crawler(crawler), scheduler, crawler.signals


def _response(url: str = "http://a.to/") -> HtmlResponse:
    return HtmlResponse(url, body=b"<html></html>", request=Request(url))


def test_the_lease_waits_for_every_item_to_leave_the_pipelines() -> None:
    middleware, scheduler, manager = _middleware()
    response = _response()
    items = [{"n": 1}, {"n": 2}]
    output = list(middleware.process_spider_output(response, [*items, Request("http://a.to/2")]))
    assert len(output) == 3
    assert scheduler.finished == []  # both items are still in the pipelines
    manager.send_catch_log(signals.item_scraped, item=items[0], response=response, spider=None)
    assert scheduler.finished == []
    manager.send_catch_log(signals.item_dropped, item=items[1], response=response,
                           exception=Exception("dropped"), spider=None)  # fmt: skip
    assert scheduler.finished == ["http://a.to/"]
    # A late or foreign signal acknowledges nothing twice.
    manager.send_catch_log(signals.item_error, item=items[1], response=response, spider=None,
                           failure=None)  # fmt: skip
    assert scheduler.finished == ["http://a.to/"]


def test_output_without_items_is_acknowledged_when_read() -> None:
    middleware, scheduler, _ = _middleware()
    list(middleware.process_spider_output(_response(), [Request("http://a.to/2")]))
    assert scheduler.finished == ["http://a.to/"]


def test_items_done_before_the_output_ends_do_not_hold_the_lease() -> None:
    middleware, scheduler, manager = _middleware()
    response = _response()
    item = {"n": 1}
    for element in middleware.process_spider_output(response, [item, Request("http://a.to/2")]):
        if element is item:  # a synchronous pipeline finishes the item at once
            manager.send_catch_log(signals.item_scraped, item=item, response=response,
                                   spider=None)  # fmt: skip
            assert scheduler.finished == []  # the rest of the output is not read yet
    assert scheduler.finished == ["http://a.to/"]


def test_a_callback_that_raises_still_waits_for_the_items_it_yielded() -> None:
    middleware, scheduler, manager = _middleware()
    response = _response()
    item = {"n": 1}

    def callback() -> Any:
        yield item
        raise ValueError("broken page")

    seen = []
    try:
        for element in middleware.process_spider_output(response, callback()):
            seen.append(element)
    except ValueError:
        middleware.process_spider_exception(response, ValueError("broken page"))
    assert seen == [item] and scheduler.finished == []
    manager.send_catch_log(signals.item_error, item=item, response=response, spider=None,
                           failure=None)  # fmt: skip
    assert scheduler.finished == ["http://a.to/"]
