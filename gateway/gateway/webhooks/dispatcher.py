"""The loop that sends due deliveries: claim a batch (one short transaction), send each
(outside any transaction, several at once), record each attempt (one short transaction each).

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
from gateway.webhooks import sender, service
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
# How many deliveries one claim takes, and how many are sent at once.
BATCH = 50
SENDERS = 8
# How long an idle dispatcher waits before it looks for due deliveries again.
IDLE_SECONDS = 0.2
# How often the subscriptions are counted for the gauge.
COUNT_EVERY = 15.0


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
        counted_at = None
        while not stop.is_set():
            try:
                sent = self.dispatch_once()
                now = self.clock()
                if counted_at is None or (now - counted_at).total_seconds() >= COUNT_EVERY:
                    counted_at = now
                    self.count_subscriptions()
            except Exception:
                log.exception("dispatching webhooks failed; trying again shortly")
                sent = 0
            if sent < BATCH:
                stop.wait(IDLE_SECONDS)
        self._pool.shutdown(wait=True)

    def dispatch_once(self) -> int:
        """One batch claimed, sent and recorded; how many deliveries it held."""
        batch = self.claim()
        outcomes = self._pool.map(self.send, batch)
        for outgoing, outcome in zip(batch, outcomes, strict=True):
            self.record(outgoing, outcome)
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

    def record(self, outgoing: Outgoing, outcome: Outcome) -> None:
        with self._unit_of_work("record webhook attempt") as uow:
            verdict = service.record_attempt(uow, outgoing, outcome, self.rng)
        DELIVERIES.labels(self.settings.service, verdict).inc()
        if verdict == "disabled":
            log.warning(
                "webhook %s disabled: deliveries kept failing (%s)",
                outgoing.subscription_id,
                outcome.reason,
            )

    def count_subscriptions(self) -> None:
        with self._unit_of_work("count webhooks", readonly=True) as uow:
            counts = service.subscriptions_by_status(uow)
        for status in STATUSES:
            SUBSCRIPTIONS.labels(self.settings.service, status).set(counts.get(status, 0))

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
