"""Reserving an order: every line or none, never more than is available, split by the rule;
its hold through partial shipments, releases and expiry."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erp_shared.errors import Insufficient
from erp_shared.events import quantities_by_sku
from inventory.reservations.domain import Allocation, Reservation, plan_reservation

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_each_line_comes_from_the_warehouse_with_most_available():
    allocations, shortages = plan_reservation(
        {"A": 3, "B": 1}, {"A": {"MAIN": 2, "EAST": 5}, "B": {"MAIN": 1}}
    )
    assert shortages == []
    assert allocations == [Allocation("A", "EAST", 3), Allocation("B", "MAIN", 1)]


def test_one_short_line_rejects_the_whole_order_and_reports_what_is_available():
    allocations, shortages = plan_reservation(
        {"A": 1, "B": 4}, {"A": {"MAIN": 9}, "B": {"MAIN": 3}}
    )
    assert allocations == []
    assert [(s.sku, s.requested, s.available) for s in shortages] == [("B", 4, 3)]


def test_a_line_no_single_warehouse_can_supply_is_split_most_available_first():
    allocations, shortages = plan_reservation({"A": 10}, {"A": {"MAIN": 4, "EAST": 5, "WEST": 3}})
    assert shortages == []
    assert allocations == [
        Allocation("A", "EAST", 5),
        Allocation("A", "MAIN", 4),
        Allocation("A", "WEST", 1),
    ]


def test_ties_go_to_main_then_by_warehouse_code():
    allocations, _ = plan_reservation({"A": 2}, {"A": {"WEST": 5, "MAIN": 5, "EAST": 5}})
    assert allocations == [Allocation("A", "MAIN", 2)]


def test_a_partial_shipment_leaves_the_rest_held_and_shipping_more_is_refused():
    reservation = Reservation.decide("o-1", {"A": 5}, {"A": {"MAIN": 3, "EAST": 3}}, NOW)
    assert [(line.warehouse, line.quantity) for line in reservation.lines] == [
        ("MAIN", 3),
        ("EAST", 2),
    ]
    reservation.pending_events.clear()
    shipped = []

    def issue(line, units):
        shipped.append((line.warehouse, units))
        return Decimal("2.50") * units

    reservation.ship({"A": 4}, issue, NOW)
    assert shipped == [("MAIN", 3), ("EAST", 1)]
    assert [(line.status, line.open) for line in reservation.lines] == [
        ("shipped", 0),
        ("held", 1),
    ]
    assert reservation.pending_events == [
        (
            "stock.issued",
            {"order_id": "o-1", "lines": [{"sku": "A", "quantity": 4, "cost": Decimal("10.00")}]},
        )
    ]
    with pytest.raises(Insufficient):
        reservation.ship({"A": 2}, issue, NOW)


def test_only_an_unconfirmed_hold_expires_and_a_release_is_announced_once():
    confirmed = Reservation.decide("o-1", {"A": 1}, {"A": {"MAIN": 1}}, NOW)
    confirmed.confirm(NOW)
    assert confirmed.expire_if_unconfirmed(NOW) == []
    pending = Reservation.decide("o-2", {"A": 1}, {"A": {"MAIN": 1}}, NOW)
    pending.pending_events.clear()
    assert [units for _, units in pending.expire_if_unconfirmed(NOW)] == [1]
    assert pending.release("released", NOW) == []
    assert pending.pending_events == [("stock.released", {"order_id": "o-2", "reason": "expired"})]


def test_an_unknown_sku_is_short_of_everything():
    _, shortages = plan_reservation({"GHOST": 1}, {})
    assert [(s.sku, s.available) for s in shortages] == [("GHOST", 0)]


def test_lines_for_the_same_sku_are_reserved_together():
    assert quantities_by_sku([{"sku": "A", "quantity": 2}, {"sku": "A", "quantity": 3}]) == {"A": 5}


skus = st.sampled_from(["A", "B", "C"])
warehouses = st.sampled_from(["MAIN", "EAST"])


@given(
    requested=st.dictionaries(skus, st.integers(1, 20), min_size=1),
    available=st.dictionaries(skus, st.dictionaries(warehouses, st.integers(0, 20))),
)
def test_a_plan_is_all_or_nothing_and_never_exceeds_availability(requested, available):
    allocations, shortages = plan_reservation(requested, available)
    assert bool(allocations) != bool(shortages)
    for sku in requested:
        taken = [a for a in allocations if a.sku == sku]
        assert not allocations or sum(a.quantity for a in taken) == requested[sku]
        for allocation in taken:
            assert 0 < allocation.quantity <= available[sku][allocation.warehouse]
        # A line is split only when no single warehouse could supply it.
        if len(taken) > 1:
            assert max(available[sku].values()) < requested[sku]
