"""The deliverer: claim due alerts, send them through Apprise by route, record the outcome.

Delivery is at-least-once: a message a target accepted is marked only after the send
returns, so a deliverer killed between the two (or a receiver that got the message but
whose answer was lost) leads to a resend.  Every message carries the ids of the alerts it
holds (``isop-alert-ids: ...``); a receiver that keeps the ids it has seen turns the
duplicates into an effectively exactly-once stream.  Marks are conditional on this
deliverer's claim, so two deliverers never both mark one alert.

Digests: a target that already got ``digest_after`` messages within ``digest_window``
seconds, or that receives a batch that would exceed it, gets one message listing the alerts
instead, and further alerts for it are held until the window ends and then go as one digest.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import apprise
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.alerts import queue
from crawler.alerts.config import AlertsConfig
from crawler.alerts.metrics import AlertMetrics
from crawler.alerts.routing import Alert, redact_url, render, scrub, targets

logger = logging.getLogger(__name__)

# (url, title, body) -> None when the target accepted the message, else why not (no secrets).
Send = Callable[[str, str, str], str | None]


class AppriseSender:
    """Sends one message to one Apprise URL; objects are built once per URL."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._targets: dict[str, apprise.Apprise] = {}

    def _target(self, url: str) -> apprise.Apprise:
        target = self._targets.get(url)
        if target is None:
            target = apprise.Apprise()
            sep = "&" if "?" in url else "?"
            with warnings.catch_warnings():  # first use imports every plugin; some use imghdr
                warnings.simplefilter("ignore", DeprecationWarning)
                added = target.add(f"{url}{sep}cto={self.timeout}&rto={self.timeout}")
            if not added:
                raise ValueError(f"not an Apprise URL Apprise can use: {redact_url(url)}")
            self._targets[url] = target
        return target

    def check(self, url: str) -> None:
        """Raise ``ValueError`` (naming the URL without secrets) when Apprise can't use it."""
        self._target(url)

    def __call__(self, url: str, title: str, body: str) -> str | None:
        target = self._target(url)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = target.notify(body=body, title=title)
        if ok:
            return None
        lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        return scrub(lines[-1] if lines else "refused", [url])


@dataclass
class _TargetState:
    recent: deque[float] = field(default_factory=deque)  # send times within the window
    hold_until: float = 0.0
    held: set[int] = field(default_factory=set)


class Deliverer:
    """One delivering process (or thread); several may run against one outbox."""

    def __init__(
        self,
        engine: Engine,
        config: AlertsConfig,
        metrics: AlertMetrics | None = None,
        send: Send | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.metrics = metrics or AlertMetrics()
        sender = AppriseSender(config.timeout)
        if send is None:
            for route in config.routes:
                for url in route.urls:
                    sender.check(url)
        self.send: Send = send or sender
        host = socket.gethostname()[:30]
        self.token = f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._state: dict[str, _TargetState] = {}
        self._claimed_at = 0.0
        # For the health endpoints (``isop alerts deliver``): ``beat`` is called from the
        # delivery loop and before each send (liveness); ``outbox_error`` says why the last
        # round could not reach the outbox (readiness), None once it answers again.
        self.beat: Callable[[], None] = lambda: None
        self.outbox_error: str | None = None

    def run_once(self) -> int:
        """Claim one batch and deliver it; the number of alerts claimed (0: nothing due)."""
        config = self.config
        alerts = queue.claim(self.engine, self.token, config.batch_size, config.lease)
        if not alerts:
            return 0
        self._claimed_at = time.monotonic()
        outcomes = {a.id: queue.Outcome(a) for a in alerts}
        groups: dict[str, tuple[str, list[Alert]]] = {}
        for alert in alerts:
            owed = targets(config.routes, alert)
            if not owed and not alert.targets_done:
                outcomes[alert.id].unrouted = True
            for name, url in owed:
                groups.setdefault(name, (url, []))[1].append(alert)
        for name, (url, group) in groups.items():
            self._deliver(name, url, group, outcomes)
        delivered = queue.settle(
            self.engine, self.token, outcomes.values(), config.backoff_base, config.backoff_max
        )
        now = datetime.now(UTC)
        for _id, created in delivered:
            self.metrics.latency.observe(max(0.0, (now - created).total_seconds()))
        self.metrics.delivered.inc(len(delivered))
        return len(alerts)

    def _deliver(
        self, name: str, url: str, group: list[Alert], outcomes: dict[int, queue.Outcome]
    ) -> None:
        state = self._state.setdefault(name, _TargetState())
        now = time.time()
        window = self.config.digest_window
        while state.recent and state.recent[0] <= now - window:
            state.recent.popleft()
        if now < state.hold_until:
            self._hold(state, group, outcomes)
            return
        held = any(a.id in state.held for a in group)
        over = len(state.recent) + len(group) > self.config.digest_after
        if held or (over and len(group) > 1):
            if self._send(name, url, group, outcomes, "digest"):
                state.held.clear()  # bounded: ids another deliverer sent are dropped too
                state.recent.append(now)
                state.hold_until = now + window
            return
        if over:  # one more alert on a busy target: hold it for the window's digest
            state.hold_until = state.recent[0] + window
            self._hold(state, group, outcomes)
            return
        for index, alert in enumerate(group):
            if not self._send(name, url, [alert], outcomes, "single"):
                for rest in group[index + 1 :]:  # the target is down: don't hammer it
                    outcomes[rest.id].errors.append(f"{name}: not tried, target failing")
                return
            state.recent.append(time.time())

    def _hold(
        self, state: _TargetState, group: list[Alert], outcomes: dict[int, queue.Outcome]
    ) -> None:
        until = datetime.fromtimestamp(state.hold_until, UTC)
        for alert in group:
            state.held.add(alert.id)
            outcome = outcomes[alert.id]
            outcome.defer_until = min(outcome.defer_until or until, until)

    def _send(
        self,
        name: str,
        url: str,
        group: list[Alert],
        outcomes: dict[int, queue.Outcome],
        kind: str,
    ) -> bool:
        if time.monotonic() - self._claimed_at > self.config.lease / 3:
            # A slow batch (throttled e-mail, slow targets): keep the claim, or another
            # deliverer would take these rows and send them again.
            queue.renew(self.engine, self.token, self.config.lease)
            self._claimed_at = time.monotonic()
        title, body = render(group)
        self.beat()  # a long batch to slow targets is progress, not a hung process
        try:
            error = self.send(url, title, body)
        except Exception as exc:  # a plugin bug must not kill the deliverer
            error = scrub(f"{type(exc).__name__}: {exc}", [url])
        if error is None:
            self.metrics.sent.labels(kind).inc()
            for alert in group:
                outcomes[alert.id].done.append(name)
            return True
        self.metrics.failures.inc()
        logger.warning("Alert target %s (%s) failed: %s", name, redact_url(url), error)
        for alert in group:
            outcomes[alert.id].errors.append(f"{name} {redact_url(url)}: {error}")
        return False

    def drain(self) -> int:
        """Deliver everything due now, then return the number of alerts handled."""
        total = 0
        while (n := self.run_once()) > 0:
            total += n
        return total

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set; the batch in hand is finished, never abandoned."""
        pause = self.config.poll_interval
        try:
            while not stop.is_set():
                self.beat()
                try:
                    handled = self.run_once()
                except SQLAlchemyError as exc:  # database restarting, failing over: wait, retry
                    pause = min(30.0, max(pause * 2, self.config.poll_interval * 4))
                    logger.error("Alert outbox unavailable, retrying in %.0f s: %s", pause, exc)
                    self.outbox_error = f"alert outbox unavailable ({type(exc).__name__})"
                    stop.wait(pause)
                    continue
                self.outbox_error = None
                pause = self.config.poll_interval
                if handled == 0:
                    stop.wait(pause)
        finally:
            try:
                queue.release(self.engine, self.token)
            except SQLAlchemyError as exc:  # the leases lapse by themselves
                logger.warning("Could not release claimed alerts: %s", exc)
