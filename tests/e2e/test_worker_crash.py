"""A worker killed outright loses nothing: its replacement decides every waiting order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from erp_testing import wait_until
from erp_testing.faults import kill_outright, relaunch

pytestmark = pytest.mark.e2e


def test_orders_waiting_for_a_killed_inventory_worker_are_decided_by_its_replacement(
    start_system,
):
    system = start_system()
    system.create_stocked_product("CRASH", 5)
    customer_id = system.create_customer()
    warm_up = system.place_first_order(customer_id, "CRASH", 10_000)
    wait_until(lambda: system.settled(warm_up["id"]))

    # Killed right after a burst, so it may die between committing a lot and acking it.
    with ThreadPoolExecutor(max_workers=4) as pool:
        burst = list(pool.map(lambda _: system.place_order(customer_id, "CRASH", 1), range(4)))
    launch = kill_outright(int(system.pid_file("inventory-worker").read_text()))

    while_dead = [system.place_order(customer_id, "CRASH", 1).json()["id"] for _ in range(4)]
    assert {system.order(order_id)["status"] for order_id in while_dead} == {"pending"}

    relaunch(system, "inventory-worker", launch)

    decided = system.decisions([answer.json()["id"] for answer in burst] + while_dead)
    assert decided.count("confirmed") == 5
    assert decided.count("rejected") == 3
    stock = system.stock("CRASH")
    assert (stock["on_hand"], stock["reserved"]) == (5, 5)
