"""Thirty customers order the last ten units at once: exactly ten get one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_thirty_concurrent_orders_for_ten_units_confirm_exactly_ten(start_system, backend):
    # Two inventory workers, so reservations really do race each other.
    system = start_system(backend, INVENTORY_WORKERS="2")
    system.create_stocked_product("LAST-TEN", 10)
    customer_id = system.create_customer()
    warm_up = system.place_first_order(customer_id, "LAST-TEN", 10_000)
    wait_until(lambda: system.settled(warm_up["id"]))

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(
            pool.map(lambda _: system.place_order(customer_id, "LAST-TEN", 1), range(30))
        )
    assert [a.status_code for a in answers] == [201] * 30

    statuses = system.decisions([answer.json()["id"] for answer in answers])
    assert statuses.count("confirmed") == 10
    assert statuses.count("rejected") == 20
    stock = system.stock("LAST-TEN")
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (10, 10, 0)
