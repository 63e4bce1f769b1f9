"""A client that registers a customer and a product and orders at once is answered as if the
orders service had always known them: 201, and the order is confirmed. Until their events
arrive, the orders service asks the CRM and inventory, with the caller's own token; a
customer or SKU nobody has is still 422."""

from __future__ import annotations

import os
import signal

import pytest

from erp_testing import unique

pytestmark = pytest.mark.e2e


def test_an_order_for_a_customer_and_product_made_a_moment_ago_is_taken_and_confirmed(system):
    # With the orders worker paused, no event reaches its copies: the order can only be taken
    # by asking the CRM and inventory.
    worker = int(system.pid_file("orders-worker").read_text())
    os.kill(worker, signal.SIGSTOP)
    try:
        sku = unique("NEW-")
        system.create_stocked_product(sku, 10)
        customer_id = system.create_customer()
        placed = system.place_order(customer_id, sku, 3)
    finally:
        os.kill(worker, signal.SIGCONT)

    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == "447.00"
    assert system.decisions([placed.json()["id"]]) == ["confirmed"]


def test_a_customer_or_sku_nobody_has_is_still_refused(system):
    sku = unique("REAL-")
    system.create_stocked_product(sku, 10)
    customer_id = system.create_customer()

    nobody = system.place_order(unique("ghost-"), sku, 1)
    nothing = system.place_order(customer_id, unique("GHOST-"), 1)

    assert nobody.status_code == 422 and "customer_id" in nobody.json()["errors"]
    assert nothing.status_code == 422 and "lines" in nothing.json()["errors"]
