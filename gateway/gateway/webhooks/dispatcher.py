"""The loop that sends due deliveries: claim a batch (one short transaction), send each
(outside any transaction, several at once), record the batch's attempts (one short
transaction: one per attempt held the dispatcher to about 50 deliveries a second).

A dispatcher that dies between sending and recording loses nothing: the claim held the
delivery for domain.SENDING_LEASE only, after which it is due again and sent again with the
same webhook-id, which the receiver drops as a repeat. Several dispatchers (two workers)
share the work: on PostgreSQL a claim skips what another holds; on SQLite claims take turns.

`clock` says what time it is, so a test can live through a day of retries in a second.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests
from prometheus_client import Counter, Gauge
from sqlalchemy.engine import Engine

from erp_shared.db import utcnow
from erp_shared.uow import UnitOfWork
from gateway.settings import GatewaySettings
from gateway.webhooks import lag, sender, service
from gateway.webhooks.domain import STATUSES, Outcome, Outgoing

log = logging.getLogger(__name__)

DELIVERIES = Counter(
    "erp_webhook_deliveries_total",
    "Webhook delivery attempts, by what came of them: delivered, retrying (failed, to be "
    "tried again), disabled (failed for a day: the subscription is off) or duplicate",
    ["service", "outcome"],
)
SUBSCRIPTIONS = Gauge(
    "erp_webhook_subscriptions",
    "Webhook subscriptions by status (disabled ones need an admin)",
    ["service", "status"],
    multiprocess_mode="livemax",
)
LAG = Gauge(
    "erp_webhook_lag_seconds",
    "Age of the oldest delivery still owed to an active subscription (0 when none is): how "
    "far behind the events its subscribers are told",
    ["service"],
    multiprocess_mode="livemax",
)
# How many deliveries one claim takes, and how many are sent at once.
BATCH = 50
SENDERS = 8
# How long an idle dispatcher waits before it looks for due deliveries again.
IDLE_SECONDS = 0.2
# How often the gauges are measured: as often as Prometheus scrapes.
MEASURE_EVERY = 15.0


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        settings: GatewaySettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ):
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.Random()
        self._session = requests.Session()
        # No proxy, .netrc or CA bundle from the environment decides where a delivery goes.
        self._session.trust_env = False
        self._pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="webhook-sender")

    def run(self, stop: threading.Event) -> None:
        """Send while there is something due; look again every IDLE_SECONDS otherwise."""
        measured_at = None
        while not stop.is_set():
            try:
                sent = self.dispatch_once()
                now = self.clock()
                if measured_at is None or (now - measured_at).total_seconds() >= MEASURE_EVERY:
                    measured_at = now
                    self.measure()
            except Exception:
                log.exception("dispatching webhooks failed; trying again shortly")
                sent = 0
            if sent < BATCH:
                stop.wait(IDLE_SECONDS)
        self._pool.shutdown(wait=True)

    def dispatch_once(self) -> int:
        """One batch claimed, sent and recorded; how many deliveries it held."""
        batch = self.claim()
        if batch:
            self.record(list(zip(batch, self._pool.map(self.send, batch), strict=True)))
        return len(batch)

    def claim(self) -> list[Outgoing]:
        with self._unit_of_work("claim due webhooks") as uow:
            return service.claim_due(uow, BATCH)

    def send(self, outgoing: Outgoing) -> Outcome:
        """The attempt, unless the target's host now resolves where the policy forbids (its
        name may have been pointed elsewhere since it was subscribed)."""
        if problems := service.target_problems(self.settings, outgoing.url):
            return Outcome(None, f"refused: {problems[0]}", 0)
        return sender.send(self._session, outgoing, self.clock())

    def record(self, attempts: list[tuple[Outgoing, Outcome]]) -> None:
        """Every attempt of a batch and its consequence, in one transaction. If it fails, the
        batch's deliveries stay held until their lease ends and are sent again, each with its
        webhook-id: a receiver drops the repeats."""
        with self._unit_of_work("record webhook attempts") as uow:
            verdicts = [
                service.record_attempt(uow, outgoing, outcome, self.rng)
                for outgoing, outcome in attempts
            ]
        for (outgoing, outcome), verdict in zip(attempts, verdicts, strict=True):
            DELIVERIES.labels(self.settings.service, verdict).inc()
            if verdict == "disabled":
                log.warning(
                    "webhook %s disabled: deliveries kept failing (%s)",
                    outgoing.subscription_id,
                    outcome.reason,
                )

    def measure(self) -> None:
        """The gauges an operator is alerted on: subscriptions disabled, deliveries late."""
        with self._unit_of_work("measure webhooks", readonly=True) as uow:
            counts = service.subscriptions_by_status(uow)
            oldest = lag.oldest_pending_since(uow.conn)
            now = uow.now
        for status in STATUSES:
            SUBSCRIPTIONS.labels(self.settings.service, status).set(counts.get(status, 0))
        behind = (now - oldest).total_seconds() if oldest is not None else 0.0
        LAG.labels(self.settings.service).set(max(behind, 0.0))

    def _unit_of_work(self, actor: str, readonly: bool = False) -> UnitOfWork:
        return ClockedUnitOfWork(
            self.engine, self.settings.service, self.clock, readonly=readonly, actor=actor
        )


class ClockedUnitOfWork(UnitOfWork):
    """A unit of work whose `now` is the dispatcher's clock rather than the wall's."""

    def __init__(self, engine: Engine, producer: str, clock: Callable[[], datetime], **options):
        super().__init__(engine, producer, **options)
        self._clock = clock

    def __enter__(self) -> UnitOfWork:
        super().__enter__()
        self.now = self._clock()
        return self
