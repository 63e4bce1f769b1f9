"""Any sequence of receipts (backdated too), reservations (redelivered too), releases, partial
shipments, returns, counts and transfers keeps the stock ledger's invariants, and every issue
costs what an independent FIFO model of the lots says it should."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from erp_shared.errors import Refused
from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from erp_testing import migrated_engine
from inventory import tables
from inventory.catalogue import service as catalogue
from inventory.reservations import service as reservations
from inventory.stock import db, service

pytestmark = pytest.mark.integration

WAREHOUSES = ("MAIN", "EAST")
COSTS = st.sampled_from([Decimal("1.00"), Decimal("2.50"), Decimal("4.00")])
_skus = itertools.count()


def in_uow(engine, use_case, *args):
    with UnitOfWork(engine, "inventory") as uow:
        return use_case(uow, *args)


@dataclass
class ModelLot:
    """The model's lot: its FIFO position is (when, seq), like (received_at, id)."""

    when: tuple
    seq: int
    quantity: int
    cost: Decimal


class FifoModel:
    """Lots per warehouse and what each order took, kept without the code under test."""

    def __init__(self):
        self.lots = {w: [] for w in WAREHOUSES}
        self.seq = itertools.count()
        self.clock = itertools.count()  # later than any backdated receipt, in event order
        self.taken: dict[str, list[tuple[str, Decimal, int]]] = {}

    def add(self, warehouse, quantity, cost, when=None):
        when = when or (1, next(self.clock))
        self.lots[warehouse].append(ModelLot(when, next(self.seq), quantity, cost))

    def take(self, warehouse, quantity) -> list[ModelLot]:
        taken = []
        for lot in sorted(self.lots[warehouse], key=lambda lot: (lot.when, lot.seq)):
            units = min(lot.quantity, quantity)
            if units:
                lot.quantity -= units
                quantity -= units
                taken.append(ModelLot(lot.when, lot.seq, units, lot.cost))
        assert quantity == 0, "the model ran out of lots"
        return taken

    def on_hand(self, warehouse) -> int:
        return sum(lot.quantity for lot in self.lots[warehouse])


def test_stock_invariants_hold_for_any_sequence(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('invariants') / 'inventory.db'}"
    engine = migrated_engine("inventory", url)
    in_uow(engine, service.create_warehouse, {"code": "EAST", "name": "East"})

    class StockLedger(RuleBasedStateMachine):
        @initialize()
        def new_product(self):
            self.sku = f"SKU-{next(_skus)}"
            self.model = FifoModel()
            self.orders = itertools.count()
            self.held: dict[str, dict[str, int]] = {}  # order -> warehouse -> units held
            self.shipped: dict[str, int] = {}  # order -> units shipped, not yet returned
            in_uow(
                engine,
                catalogue.create_product,
                {
                    "sku": self.sku,
                    "name": "Thing",
                    "unit_price": Decimal("9.00"),
                    "currency": "EUR",
                    "reorder_point": 3,
                },
            )

        def stock(self):
            return in_uow(engine, service.stock_of, self.sku)

        @rule(
            warehouse=st.sampled_from(WAREHOUSES),
            quantity=st.integers(1, 20),
            cost=COSTS,
            days_ago=st.one_of(st.none(), st.integers(1, 400)),
        )
        def receive(self, warehouse, quantity, cost, days_ago):
            received_at = None
            if days_ago is not None:
                received_at = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=days_ago)
            in_uow(
                engine,
                service.receive_stock,
                {
                    "warehouse": warehouse,
                    "received_at": received_at,
                    "lines": [{"sku": self.sku, "quantity": quantity, "unit_cost": cost}],
                },
            )
            self.model.add(warehouse, quantity, cost, (0, received_at) if received_at else None)

        @rule(quantity=st.integers(1, 25), redelivered=st.booleans())
        def reserve(self, quantity, redelivered):
            order_id = f"{self.sku}-order-{next(self.orders)}"
            before = self.stock()
            for _ in range(2 if redelivered else 1):
                in_uow(
                    engine,
                    reservations.reserve_stock,
                    order_id,
                    [{"sku": self.sku, "quantity": quantity}],
                )
            after = self.stock()
            if before.available >= quantity:
                held = {
                    level.warehouse: level.reserved - was.reserved
                    for level, was in zip(after.warehouses, before.warehouses, strict=True)
                }
                self.held[order_id] = {w: n for w, n in held.items() if n}
                assert sum(held.values()) == quantity
            else:
                assert after.reserved == before.reserved

        @precondition(lambda self: any(self.held.values()))
        @rule(data=st.data())
        def cancel(self, data):
            order_id = data.draw(st.sampled_from(sorted(o for o, h in self.held.items() if h)))
            in_uow(engine, reservations.release_order, order_id)
            self.held[order_id] = {}

        @precondition(lambda self: any(self.held.values()))
        @rule(data=st.data())
        def ship_part(self, data):
            order_id = data.draw(st.sampled_from(sorted(o for o, h in self.held.items() if h)))
            units = data.draw(st.integers(1, sum(self.held[order_id].values())))
            in_uow(
                engine, reservations.ship_order, order_id, [{"sku": self.sku, "quantity": units}]
            )
            expected, left = Decimal(0), units
            for warehouse in self._line_order(order_id):
                part = min(self.held[order_id].get(warehouse, 0), left)
                if not part:
                    continue
                for lot in self.model.take(warehouse, part):
                    expected += lot.cost * lot.quantity
                    self.model.taken.setdefault(order_id, []).append(
                        (warehouse, lot.cost, lot.quantity)
                    )
                self.held[order_id][warehouse] -= part
                left -= part
            self.held[order_id] = {w: n for w, n in self.held[order_id].items() if n}
            self.shipped[order_id] = self.shipped.get(order_id, 0) + units
            assert self.last_issue_cost(order_id) == expected

        def _line_order(self, order_id):
            """Reservation lines ship in the order they were made (the split rule's order)."""
            with engine.connect() as conn:
                return list(
                    conn.scalars(
                        select(tables.reservations.c.warehouse)
                        .where(tables.reservations.c.order_id == order_id)
                        .order_by(tables.reservations.c.id)
                    )
                )

        def last_issue_cost(self, order_id) -> Decimal:
            with engine.connect() as conn:
                bodies = conn.scalars(
                    select(outbox.c.body)
                    .where(outbox.c.type == "stock.issued")
                    .order_by(outbox.c.id.desc())
                )
                for body in bodies:
                    event = json.loads(body)
                    if event["data"]["order_id"] == order_id:
                        return Decimal(event["data"]["lines"][0]["cost"])
            raise AssertionError("no stock.issued")

        @precondition(lambda self: any(self.shipped.values()))
        @rule(data=st.data(), resellable=st.booleans())
        def take_back(self, data, resellable):
            order_id = data.draw(st.sampled_from(sorted(o for o, n in self.shipped.items() if n)))
            units = data.draw(st.integers(1, self.shipped[order_id]))
            condition = "resellable" if resellable else "damaged"
            in_uow(
                engine,
                service.restock_return,
                f"ret-{order_id}-{next(self.orders)}",
                order_id,
                [{"sku": self.sku, "quantity": units, "condition": condition}],
            )
            self.shipped[order_id] -= units
            left = units
            taken = self.model.taken[order_id]
            while left:  # the goods that left last come back first
                warehouse, cost, quantity = taken.pop()
                back = min(quantity, left)
                if back < quantity:
                    taken.append((warehouse, cost, quantity - back))
                if resellable:
                    self.model.add(warehouse, back, cost)
                left -= back

        @rule(warehouse=st.sampled_from(WAREHOUSES), delta=st.integers(-15, 15), cost=COSTS)
        def count(self, warehouse, delta, cost):
            adjustment = {
                "sku": self.sku,
                "warehouse": warehouse,
                "quantity_delta": delta,
                "reason": "cycle count",
                "unit_cost": cost,
            }
            try:
                in_uow(engine, service.adjust_stock, adjustment)
            except Refused:
                level = next((w for w in self.stock().warehouses if w.warehouse == warehouse), None)
                on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
                assert delta == 0 or on_hand + delta < max(reserved, 0) or on_hand + delta < 0
                return
            if delta > 0:
                self.model.add(warehouse, delta, cost)
            else:
                self.model.take(warehouse, -delta)

        @rule(source=st.sampled_from(WAREHOUSES), quantity=st.integers(1, 15))
        def transfer(self, source, quantity):
            destination = next(w for w in WAREHOUSES if w != source)
            move = {
                "sku": self.sku,
                "from_warehouse": source,
                "to_warehouse": destination,
                "quantity": quantity,
            }
            try:
                in_uow(engine, service.transfer_stock, move)
            except Refused:
                level = next((w for w in self.stock().warehouses if w.warehouse == source), None)
                assert level is None or level.available < quantity
                return
            for lot in self.model.take(source, quantity):
                self.model.lots[destination].append(
                    ModelLot(lot.when, next(self.model.seq), lot.quantity, lot.cost)
                )

        @invariant()
        def the_ledger_holds(self):
            if not hasattr(self, "sku"):
                return
            stock = self.stock()
            with engine.connect() as conn:
                open_holds = conn.execute(
                    select(
                        tables.reservations.c.warehouse,
                        func.sum(tables.reservations.c.quantity - tables.reservations.c.shipped),
                    )
                    .where(
                        tables.reservations.c.sku == self.sku,
                        tables.reservations.c.status.in_(["held", "confirmed"]),
                    )
                    .group_by(tables.reservations.c.warehouse)
                ).all()
                ledger_value = conn.execute(
                    select(func.coalesce(func.sum(tables.movements.c.value), 0)).where(
                        tables.movements.c.sku == self.sku
                    )
                ).scalar_one()
                for level in stock.warehouses:
                    assert 0 <= level.reserved <= level.on_hand
                    assert level.on_hand == db.ledger_balance(conn, self.sku, level.warehouse)
                    assert level.on_hand == self.model.on_hand(level.warehouse)
                    lots_here = [lot for lot in stock.lots if lot.warehouse == level.warehouse]
                    assert sum(lot.quantity for lot in lots_here) == level.on_hand
            reserved = {level.warehouse: level.reserved for level in stock.warehouses}
            assert {w: n for w, n in reserved.items() if n} == {w: n for w, n in open_holds if n}
            held_by_model = sum(sum(h.values()) for h in self.held.values())
            assert stock.reserved == held_by_model
            lots_value = sum(lot.unit_cost * lot.quantity for lot in stock.lots)
            assert Decimal(ledger_value) == lots_value

    StockLedger.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
    try:
        StockLedger.TestCase().runTest()
    finally:
        engine.dispose()
