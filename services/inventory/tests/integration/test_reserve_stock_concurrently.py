"""Many orders at once against little stock: no overselling, no double reservation."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from erp_testing import migrated_engine
from sqlalchemy import func, select

from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from inventory import tables
from inventory.catalogue import service as catalogue
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
        service.reserve_stock(uow, order_id, [{"sku": "CHAIR", "quantity": quantity}])


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
