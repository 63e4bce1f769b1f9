"""A short chaos round, so every change is checked against the invariants of
docs/architecture.md: a few hundred orders through every kind of life while the broker is
cut off once and the inventory worker is killed outright once; afterwards no order lost,
each with exactly one reservation outcome, no oversell, stock conserved, invoices unique and
gapless, nothing left in outboxes or queues, and analytics equal to the orders. `make chaos`
runs longer rounds with more kinds of faults."""

from __future__ import annotations

import threading

import pytest

from erp_testing.chaos import chaos_run
from erp_testing.faults import BrokerLink, kill_and_relaunch

pytestmark = pytest.mark.e2e

ORDERS = 200


def test_invariants_hold_through_a_broker_cut_and_a_worker_kill(start_system, amqp_url):
    link = BrokerLink.to(amqp_url)
    # Twelve shoppers share one admin sign-in: the per-user limit would throttle the load.
    system = start_system(broker_url=link.url(amqp_url), GATEWAY_RATE_LIMIT="1000000/minute")

    def faults(done: threading.Event) -> list[str]:
        done.wait(3)
        link.cut()
        done.wait(4)
        link.restore()
        done.wait(3)
        kill_and_relaunch(system, "inventory-worker")
        return ["broker cut for 4 s", "inventory worker killed and restarted"]

    try:
        verdict = chaos_run(system, amqp_url, ORDERS, faults)
    finally:
        link.cut()
    assert verdict.held, verdict.report()
    assert len(verdict.tally.placed) == ORDERS
