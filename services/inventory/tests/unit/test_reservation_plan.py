"""Reserving an order: every line or none, never more than is available."""

from hypothesis import given
from hypothesis import strategies as st

from erp_shared.events import quantities_by_sku
from inventory.stock.domain import Allocation, plan_reservation


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
    for allocation in allocations:
        assert allocation.quantity == requested[allocation.sku]
        assert allocation.quantity <= available[allocation.sku][allocation.warehouse]
    if allocations:
        assert {a.sku for a in allocations} == set(requested)
