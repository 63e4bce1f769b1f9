"""Many orders at once against little stock: no overselling, no double reservation, no order
half reserved."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from erp_testing import migrated_engine
from inventory import tables
from inventory.catalogue import service as catalogue
from inventory.reservations import service as reservations
from inventory.stock import service

pytestmark = pytest.mark.integration


def in_uow(engine, use_case, *args):
    with UnitOfWork(engine, "inventory") as uow:
        return use_case(uow, *args)


@pytest.fixture
def engine(backend, databases):
    engine = migrated_engine("inventory", databases.new(backend))
    in_uow(
        engine,
        catalogue.create_product,
        {
            "sku": "CHAIR",
            "name": "Chair",
            "unit_price": Decimal("10"),
            "currency": "EUR",
            "category": None,
            "reorder_point": 0,
            "reorder_quantity": 0,
            "lead_time_days": 0,
        },
    )
    in_uow(
        engine,
        service.receive_stock,
        {
            "warehouse": "MAIN",
            "lines": [{"sku": "CHAIR", "quantity": 10, "unit_cost": Decimal("4")}],
        },
    )
    yield engine
    engine.dispose()


def place(engine, order_id: str, quantity: int = 1) -> None:
    with UnitOfWork(engine, "inventory") as uow:
        reservations.reserve_stock(uow, order_id, [{"sku": "CHAIR", "quantity": quantity}])


def emitted_types(engine) -> list[str]:
    with engine.connect() as conn:
        return [row.type for row in conn.execute(select(outbox.c.type))]


def test_thirty_concurrent_orders_for_ten_units_reserve_exactly_ten(engine):
    start = threading.Barrier(30)
    errors = []

    def order(n):
        start.wait()
        try:
            place(engine, f"order-{n}")
        except Exception as exc:  # a failure here would be a lost order: report it
            errors.append(exc)

    threads = [threading.Thread(target=order, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    stock = in_uow(engine, service.stock_of, "CHAIR")
    assert (stock.on_hand, stock.reserved, stock.available) == (10, 10, 0)
    types = emitted_types(engine)
    assert types.count("stock.reserved") == 10
    assert types.count("stock.reservation_rejected") == 20
    with engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(tables.reservations)).scalar_one() == 10
        )


def test_an_order_placed_again_is_not_reserved_twice(engine):
    place(engine, "order-1", 4)
    place(engine, "order-1", 4)
    assert in_uow(engine, service.stock_of, "CHAIR").reserved == 4
    assert emitted_types(engine).count("stock.reserved") == 1


def test_a_rejection_names_each_short_line(engine):
    place(engine, "big", 11)
    with engine.connect() as conn:
        body = conn.execute(
            select(outbox.c.body).where(outbox.c.type == "stock.reservation_rejected")
        ).scalar_one()
    assert '"requested": 11' in body and '"available": 10' in body
    assert in_uow(engine, service.stock_of, "CHAIR").reserved == 0


def test_fifty_two_line_orders_racing_for_the_last_units_never_half_reserve(engine):
    in_uow(engine, service.create_warehouse, {"code": "EAST", "name": "East"})
    product = {"name": "Desk", "unit_price": Decimal("10"), "currency": "EUR"}
    in_uow(engine, catalogue.create_product, {"sku": "DESK", **product})
    for warehouse, quantity in (("MAIN", 12), ("EAST", 9)):
        receipt = {"sku": "DESK", "quantity": quantity, "unit_cost": Decimal("3")}
        in_uow(engine, service.receive_stock, {"warehouse": warehouse, "lines": [receipt]})
    start = threading.Barrier(50)
    errors = []

    def order(n):
        start.wait()
        lines = [{"sku": "CHAIR", "quantity": 1}, {"sku": "DESK", "quantity": 1 + n % 2}]
        try:
            with UnitOfWork(engine, "inventory") as uow:
                reservations.reserve_stock(uow, f"pair-{n}", lines)
        except Exception as exc:  # a failure here would be a lost order: report it
            errors.append(exc)

    threads = [threading.Thread(target=order, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with engine.connect() as conn:
        held = conn.execute(
            select(
                tables.reservations.c.order_id,
                tables.reservations.c.sku,
                func.sum(tables.reservations.c.quantity),
            ).group_by(tables.reservations.c.order_id, tables.reservations.c.sku)
        ).all()
    by_order: dict[str, dict[str, int]] = {}
    for order_id, sku, quantity in held:
        by_order.setdefault(order_id, {})[sku] = quantity
    # Every reserved order holds both of its lines, whole; no order holds one line alone.
    assert all(set(lines) == {"CHAIR", "DESK"} for lines in by_order.values())
    assert all(lines["DESK"] == 1 + int(o.split("-")[1]) % 2 for o, lines in by_order.items())
    chair, desk = (
        in_uow(engine, service.stock_of, "CHAIR"),
        in_uow(engine, service.stock_of, "DESK"),
    )
    assert chair.reserved == len(by_order) <= 10
    assert desk.reserved == sum(lines["DESK"] for lines in by_order.values()) <= 21
    for stock in (chair, desk):
        for level in stock.warehouses:
            assert 0 <= level.reserved <= level.on_hand
    # The race ends when one of the SKUs is all but gone: no order that would fit was refused.
    assert chair.available == 0 or desk.available <= 1
    types = emitted_types(engine)
    assert types.count("stock.reserved") == len(by_order)
    assert types.count("stock.reservation_rejected") == 50 - len(by_order)
