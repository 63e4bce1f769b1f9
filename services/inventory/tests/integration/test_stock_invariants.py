"""Whatever sequence of receipts and reservations arrives, the stock ledger stays consistent.

A hypothesis state machine drives the real use cases against a migrated database and checks,
after every step, the invariants DESIGN.md names: stock never negative, never more reserved
than on hand, on_hand equal to the ledger, and reservations equal to what was confirmed.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from erp_testing import migrated_engine
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from erp_shared.uow import UnitOfWork
from inventory import tables
from inventory.catalogue import service as catalogue
from inventory.stock import db, service

pytestmark = pytest.mark.integration


def in_uow(engine, use_case, *args):
    with UnitOfWork(engine, "inventory") as uow:
        return use_case(uow, *args)


WAREHOUSES = ("MAIN", "EAST")
_skus = itertools.count()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('invariants') / 'inventory.db'}"
    engine = migrated_engine("inventory", url)
    yield engine
    engine.dispose()


def test_stock_invariants_hold_for_any_sequence(engine):
    class StockLedger(RuleBasedStateMachine):
        @initialize()
        def new_product(self):
            self.sku = f"SKU-{next(_skus)}"
            self.orders = itertools.count()
            self.reserved_by_us = 0
            in_uow(
                engine,
                catalogue.create_product,
                {
                    "sku": self.sku,
                    "name": "Thing",
                    "unit_price": Decimal("1.00"),
                    "currency": "EUR",
                    "category": None,
                    "reorder_point": 0,
                    "reorder_quantity": 0,
                    "lead_time_days": 0,
                },
            )

        @rule(warehouse=st.sampled_from(WAREHOUSES), quantity=st.integers(1, 20))
        def receive(self, warehouse, quantity):
            in_uow(
                engine,
                service.receive_stock,
                {
                    "warehouse": warehouse,
                    "lines": [
                        {"sku": self.sku, "quantity": quantity, "unit_cost": Decimal("0.50")}
                    ],
                },
            )

        @rule(quantity=st.integers(1, 25), repeat=st.booleans())
        def reserve(self, quantity, repeat):
            order_id = f"{self.sku}-order-{next(self.orders)}"
            before = in_uow(engine, service.stock_of, self.sku)
            for _ in range(2 if repeat else 1):  # a redelivered order.placed changes nothing
                with UnitOfWork(engine, "inventory") as uow:
                    service.reserve_stock(uow, order_id, [{"sku": self.sku, "quantity": quantity}])
            after = in_uow(engine, service.stock_of, self.sku)
            fits = any(w.available >= quantity for w in before.warehouses)
            assert after.reserved - before.reserved == (quantity if fits else 0)
            self.reserved_by_us += quantity if fits else 0

        @invariant()
        def ledger_is_consistent(self):
            if not hasattr(self, "sku"):
                return
            stock = in_uow(engine, service.stock_of, self.sku)
            with engine.connect() as conn:
                reservations = conn.execute(
                    select(func.coalesce(func.sum(tables.reservations.c.quantity), 0)).where(
                        tables.reservations.c.sku == self.sku
                    )
                ).scalar_one()
                for level in stock.warehouses:
                    assert 0 <= level.reserved <= level.on_hand
                    assert level.on_hand == db.ledger_balance(conn, self.sku, level.warehouse)
            assert stock.reserved == reservations == self.reserved_by_us
            assert sum(lot.quantity for lot in stock.lots) == stock.on_hand

    StockLedger.TestCase.settings = settings(max_examples=30, stateful_step_count=15, deadline=None)
    StockLedger.TestCase().runTest()
