"""A rollout restarts workers while orders keep coming: each worker stops taking deliveries,
finishes and acknowledges what it took, then exits, so no event is returned to its queue again
and again until the delivery limit dead-letters it."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from erp_shared.config import SERVICES
from erp_testing import queue_depth
from erp_testing.faults import restart_gracefully

pytestmark = pytest.mark.e2e

RESTARTS = 10
CLIENTS = 4


def test_a_worker_restarted_ten_times_under_load_dead_letters_nothing(start_system, amqp_url):
    system = start_system(GATEWAY_RATE_LIMIT="1000000/minute")
    system.create_stocked_product("ROLLOUT-1", 1_000_000)
    customer_id = system.create_customer()
    system.decisions([system.place_first_order(customer_id, "ROLLOUT-1", 1)["id"]])
    placed: list[str] = []
    done = threading.Event()

    def place() -> None:
        while not done.is_set():
            answer = system.place_order(customer_id, "ROLLOUT-1", 1)
            if answer.status_code == 201:
                placed.append(answer.json()["id"])

    clients = [threading.Thread(target=place) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    stops = []
    try:
        for _ in range(RESTARTS):
            time.sleep(1.0)
            stops.append(restart_gracefully(system, "inventory-worker"))
    finally:
        done.set()
        for client in clients:
            client.join()

    assert max(stops) < 25  # each stopped on SIGTERM, inside its grace period
    assert set(system.decisions(placed, timeout=180)) == {"confirmed"}
    prefix = system.env["ERP_BUS_PREFIX"]
    dead = {s: queue_depth(amqp_url, f"{prefix}{s}.events.dlq") for s in SERVICES}
    assert dead == dict.fromkeys(SERVICES, 0)
    # Each stop hands back at most what was in flight as it cancelled, not its prefetched lot.
    returned = redelivered(system, "inventory")
    print(f"{len(placed)} orders, {returned} deliveries returned over {RESTARTS} restarts")
    assert returned <= RESTARTS


def redelivered(system, service: str) -> float:
    """The worker's count of deliveries the broker marked redelivered (its metrics folder
    keeps the counts of the processes it replaced)."""
    metrics = httpx.get(f"http://127.0.0.1:{system.worker_port(service)}/metrics", timeout=10)
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line.startswith("erp_events_redelivered_total{")
    )
