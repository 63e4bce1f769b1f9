"""Operations watch orders taken and decided per channel on /metrics (deploy/prometheus's
orders-per-minute rules and the business dashboard read these)."""

from __future__ import annotations

import pytest

from erp_testing import deliver
from erp_testing.scrape import sample

pytestmark = pytest.mark.integration


def test_orders_are_counted_when_taken_and_when_decided(app, client, place):
    def count(name, **labels):
        return sample(client, name, service="orders", **labels)

    placed_before = count("erp_orders_placed_total", channel="phone")
    confirmed_before = count("erp_orders_decided_total", channel="phone", outcome="confirmed")
    rejected_before = count("erp_orders_decided_total", channel="phone", outcome="rejected")

    kept = place(channel="phone").json
    refused = place(channel="phone").json
    deliver(app, "stock.reserved", {"order_id": kept["id"], "lines": []}, "inventory")
    short = {"order_id": refused["id"], "reason": "short", "lines": []}
    deliver(app, "stock.reservation_rejected", short, "inventory")
    deliver(app, "stock.reserved", {"order_id": kept["id"], "lines": []}, "inventory")

    assert count("erp_orders_placed_total", channel="phone") == placed_before + 2
    assert (
        count("erp_orders_decided_total", channel="phone", outcome="confirmed")
        == confirmed_before + 1
    )
    assert (
        count("erp_orders_decided_total", channel="phone", outcome="rejected")
        == rejected_before + 1
    )


def test_an_order_refused_at_the_door_is_not_counted(client, place):
    before = sample(client, "erp_orders_placed_total", service="orders", channel="web")

    refused = place(customer_id="nobody")

    assert refused.status_code == 422
    assert sample(client, "erp_orders_placed_total", service="orders", channel="web") == before
