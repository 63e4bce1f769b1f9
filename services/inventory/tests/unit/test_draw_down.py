"""Drawing a quantity down from sources in turn: never more than a source has, exactly the
quantity or how much is missing, and the sources in the order given (oldest lot first)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erp_shared.errors import Insufficient
from inventory.drawdown import draw_down
from inventory.stock.domain import Clerk, Lot, WarehouseStock

NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)
holdings = st.lists(st.integers(0, 30), max_size=8)
quantities = st.integers(0, 100)


def drawn(holding: list[int], quantity: int):
    return draw_down(list(enumerate(holding)), quantity, lambda source: source[1])


@given(holding=holdings, quantity=quantities)
def test_no_source_gives_more_than_it_has_nor_nothing(holding, quantity):
    for (_, has), units in drawn(holding, quantity).taken:
        assert 0 < units <= has


@given(holding=holdings, quantity=quantities)
def test_the_quantity_is_taken_exactly_or_what_is_missing_is_said(holding, quantity):
    result = drawn(holding, quantity)
    taken = sum(units for _, units in result.taken)
    assert taken + result.missing == quantity
    assert result.missing == max(0, quantity - sum(holding))
    assert result.covered == (result.missing == 0)


@given(holding=holdings, quantity=quantities)
def test_sources_give_in_the_order_given_each_emptied_before_the_next(holding, quantity):
    taken = drawn(holding, quantity).taken
    order = [index for (index, _), _ in taken]
    assert order == sorted(order)
    for (_, has), units in taken[:-1]:
        assert units == has
    if taken:
        last = order[-1]
        skipped = [has for index, has in enumerate(holding[:last]) if index not in order]
        assert not any(skipped)


def lot(lot_id: int, days_ago: int, quantity: int, cost: str) -> Lot:
    return Lot(f"L{lot_id}", NEW_YEAR - timedelta(days=days_ago), quantity, Decimal(cost), lot_id)


@given(
    lots=st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 10), st.sampled_from(["1.00", "2.50"])),
        max_size=6,
    ),
    quantity=st.integers(1, 40),
)
def test_goods_leave_the_oldest_lot_first_and_never_more_than_is_there(lots, quantity):
    shelf = WarehouseStock(
        "A",
        "MAIN",
        Clerk("clerk", None, NEW_YEAR),
        on_hand=sum(units for _, units, _ in lots),
        lots=[lot(n, age, units, cost) for n, (age, units, cost) in enumerate(lots)],
    )
    oldest_first = sorted(shelf.lots, key=lambda lot: (lot.received_at, lot.id))
    before = {lot.id: lot.quantity for lot in shelf.lots}
    if quantity > shelf.on_hand:
        with pytest.raises(Insufficient):
            shelf.adjust(-quantity, None, reason="count", reference="adj")
        return
    shelf.adjust(-quantity, None, reason="count", reference="adj")
    left = quantity
    for lot_ in oldest_first:
        expected = before[lot_.id] - min(before[lot_.id], left)
        left -= before[lot_.id] - expected
        assert lot_.quantity == expected
    assert shelf.on_hand == sum(lot.quantity for lot in shelf.lots)
