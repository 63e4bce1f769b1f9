"""The invariants of docs/architecture.md, checked on a whole running system once it has
drained: read from each service's database and from the API, never from what the load
believed it did.

`drained()` says when nothing is in flight (outboxes sent, queues empty, no order waiting
for stock); `check()` then returns one Finding per invariant, held or not, with figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pika
from sqlalchemy import Engine, create_engine, func, select

from erp_shared.config import APPS, SERVICES, Settings
from erp_shared.messaging import outbox
from erp_testing.system import System
from inventory import tables as stock
from orders import tables as sales

# analytics.domain.COUNTED_STATUSES: the orders a sales report counts.
COUNTED = ("confirmed", "partially_shipped", "shipped", "delivered")
DECISIONS = ("confirmed", "rejected")


@dataclass(frozen=True)
class Finding:
    invariant: str
    held: bool
    detail: str

    def __str__(self) -> str:
        return f"{'held  ' if self.held else 'BROKEN'} {self.invariant}: {self.detail}"


class Databases:
    """One engine per app's database, as the system's own processes reach them."""

    def __init__(self, system: System):
        self.engines: dict[str, Engine] = {
            app: create_engine(system.database_url(app)) for app in APPS
        }

    def rows(self, app: str, statement) -> list:
        with self.engines[app].connect() as conn:
            return conn.execute(statement).all()

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


def queue_depths(system: System, amqp_url: str) -> dict[str, int]:
    """Messages waiting in each service's queue and dead-letter queue."""
    prefix = system.env["ERP_BUS_PREFIX"]
    names = []
    for service in SERVICES:
        queue = Settings(service, database_url="", amqp_url="", bus_prefix=prefix).queue
        names += [queue, f"{queue}.dlq"]
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        return {
            name: channel.queue_declare(name, passive=True).method.message_count for name in names
        }
    finally:
        connection.close()


def unsent(databases: Databases) -> dict[str, int]:
    return {
        app: databases.rows(app, select(func.count()).where(outbox.c.sent_at.is_(None)))[0][0]
        for app in SERVICES
    }


def drained(system: System, amqp_url: str, databases: Databases) -> bool:
    waiting = databases.rows(
        "orders", select(func.count()).where(sales.orders.c.status == "pending")
    )
    return (
        waiting[0][0] == 0
        and not any(unsent(databases).values())
        and not any(queue_depths(system, amqp_url).values())
    )


def check(system: System, amqp_url: str, placed: set[str], databases: Databases) -> list[Finding]:
    """Every invariant, held or not; `placed` are the ids of the orders the load was told
    were created (201)."""
    return [
        _no_order_lost(databases, placed),
        _one_decision_each(databases),
        _no_oversell(databases),
        _stock_conserved(databases),
        _invoices_unique_and_gapless(databases),
        _nothing_left_in_flight(system, amqp_url, databases),
        _analytics_equals_orders(system, databases),
    ]


def _no_order_lost(databases: Databases, placed: set[str]) -> Finding:
    known = {row.id for row in databases.rows("orders", select(sales.orders.c.id))}
    lost = placed - known
    detail = f"{len(placed)} placed by the load, {len(known)} orders kept, {len(lost)} lost"
    return Finding("no order lost", not lost, detail)


def _one_decision_each(databases: Databases) -> Finding:
    """Each order has exactly one reservation outcome in inventory, none is still waiting,
    and an order that was decided shows the outcome inventory recorded."""
    statuses = dict(databases.rows("orders", select(sales.orders.c.id, sales.orders.c.status)))
    moves = databases.rows(
        "orders",
        select(sales.order_history.c.order_id, sales.order_history.c.status).where(
            sales.order_history.c.status.in_(DECISIONS)
        ),
    )
    decided = defaultdict(list)
    for order_id, status in moves:
        decided[order_id].append(status)
    outcomes = dict(
        databases.rows(
            "inventory",
            select(stock.reservation_decisions.c.order_id, stock.reservation_decisions.c.outcome),
        )
    )
    waiting = [order_id for order_id, status in statuses.items() if status == "pending"]
    undecided = set(statuses) - set(outcomes)
    twice = [order_id for order_id, moves in decided.items() if len(moves) > 1]
    expected = {"confirmed": "reserved", "rejected": "rejected"}
    credit_held = {
        row.order_id
        for row in databases.rows(
            "orders",
            select(sales.orders.c.id.label("order_id")).where(
                sales.orders.c.rejected_for == "credit"
            ),
        )
    }
    disagree = [
        order_id
        for order_id, moves in decided.items()
        if order_id not in credit_held and outcomes.get(order_id) != expected[moves[0]]
    ]
    held = not (waiting or undecided or twice or disagree)
    detail = (
        f"{len(statuses)} orders, {len(outcomes)} outcomes; {Counter(outcomes.values())}; "
        f"waiting {len(waiting)}, without outcome {len(undecided)}, decided twice {len(twice)}, "
        f"disagreeing {len(disagree)}"
    )
    return Finding("every order has exactly one reservation outcome", held, detail)


def _no_oversell(databases: Databases) -> Finding:
    levels = databases.rows("inventory", select(stock.stock_levels))
    bad = [row for row in levels if row.on_hand < 0 or not 0 <= row.reserved <= row.on_hand]
    still_held = databases.rows(
        "inventory",
        select(
            stock.reservations.c.sku,
            stock.reservations.c.warehouse,
            func.sum(stock.reservations.c.quantity - stock.reservations.c.shipped),
        )
        .where(stock.reservations.c.status.in_(("held", "confirmed")))
        .group_by(stock.reservations.c.sku, stock.reservations.c.warehouse),
    )
    open_by_place = {(sku, warehouse): units for sku, warehouse, units in still_held}
    mismatched = [
        row for row in levels if open_by_place.get((row.sku, row.warehouse), 0) != row.reserved
    ]
    detail = (
        f"{len(levels)} stock levels; {len(bad)} negative or over-reserved, "
        f"{len(mismatched)} whose reserved differs from the open reservations"
    )
    return Finding("no oversell", not (bad or mismatched), detail)


def _stock_conserved(databases: Databases) -> Finding:
    """on_hand = receipts + returns restocked + adjustments + transfers - issued (the signed
    ledger), and the FIFO lots hold exactly that, per SKU and warehouse."""
    levels = {
        (row.sku, row.warehouse): row.on_hand
        for row in databases.rows("inventory", select(stock.stock_levels))
    }
    ledger = dict(
        ((sku, warehouse), units)
        for sku, warehouse, units in databases.rows(
            "inventory",
            select(
                stock.movements.c.sku,
                stock.movements.c.warehouse,
                func.sum(stock.movements.c.quantity),
            ).group_by(stock.movements.c.sku, stock.movements.c.warehouse),
        )
    )
    in_lots = dict(
        ((sku, warehouse), units)
        for sku, warehouse, units in databases.rows(
            "inventory",
            select(
                stock.lots.c.sku, stock.lots.c.warehouse, func.sum(stock.lots.c.quantity_remaining)
            ).group_by(stock.lots.c.sku, stock.lots.c.warehouse),
        )
    )
    places = set(levels) | set(ledger) | set(in_lots)
    off = [
        place
        for place in places
        if not levels.get(place, 0) == (ledger.get(place) or 0) == (in_lots.get(place) or 0)
    ]
    detail = f"{len(places)} SKU-warehouse places, {len(off)} where level, ledger and lots differ"
    return Finding("stock conserved per SKU and warehouse", not off, detail)


def _invoices_unique_and_gapless(databases: Databases) -> Finding:
    numbers = [row.number for row in databases.rows("orders", select(sales.invoices.c.number))]
    duplicates = [number for number, seen in Counter(numbers).items() if seen > 1]
    series = defaultdict(list)
    for number in numbers:
        kind, year, sequence = number.rsplit("-", 2)
        series[(kind, year)].append(int(sequence))
    gaps = {
        key: len(seq) for key, seq in series.items() if sorted(seq) != list(range(1, len(seq) + 1))
    }
    shipments = databases.rows("orders", select(sales.shipments.c.id, sales.shipments.c.invoice_id))
    invoiced = Counter(invoice_id for _, invoice_id in shipments)
    uninvoiced = [shipment_id for shipment_id, invoice_id in shipments if invoice_id is None]
    shared_invoices = [
        invoice_id for invoice_id, count in invoiced.items() if invoice_id and count > 1
    ]
    held = not (duplicates or gaps or uninvoiced or shared_invoices)
    detail = (
        f"{len(numbers)} invoices and credit notes, {len(shipments)} shipments; duplicates "
        f"{len(duplicates)}, series with gaps {len(gaps)}, shipments without one invoice "
        f"{len(uninvoiced) + len(shared_invoices)}"
    )
    return Finding("invoice numbers unique and gapless, one per shipment", held, detail)


def _nothing_left_in_flight(system: System, amqp_url: str, databases: Databases) -> Finding:
    left = {app: count for app, count in unsent(databases).items() if count}
    queued = {name: depth for name, depth in queue_depths(system, amqp_url).items() if depth}
    detail = f"unsent outbox rows {left or 0}, messages in queues and DLQs {queued or 0}"
    return Finding("outboxes and DLQs empty", not (left or queued), detail)


def _analytics_equals_orders(system: System, databases: Databases) -> Finding:
    """The sales report over the days orders were placed equals the orders' own figures."""
    orders = databases.rows(
        "orders",
        select(
            sales.orders.c.id,
            sales.orders.c.status,
            sales.orders.c.created_at,
            sales.orders.c.replaces_return_id,
        ),
    )
    if not orders:
        return Finding("analytics totals equal the orders'", True, "no orders")
    # An exchange's free replacement is no sale: analytics counts no order, unit or revenue.
    counted = {row.id for row in orders if row.status in COUNTED and row.replaces_return_id is None}
    lines = [
        line
        for line in databases.rows("orders", select(sales.order_lines))
        if line.order_id in counted
    ]
    credit_notes = databases.rows(
        "orders",
        select(sales.invoices.c.order_id, sales.invoices.c.subtotal).where(
            sales.invoices.c.kind == "credit_note"
        ),
    )
    expected = {
        "orders": len({line.order_id for line in lines}),
        "units": sum(line.quantity for line in lines),
        "revenue": sum((line.quantity * line.unit_price for line in lines), Decimal(0)),
        "returned_units": sum(line.returned for line in lines),
        "credited": sum((s for order_id, s in credit_notes if order_id in counted), Decimal(0)),
    }
    days = sorted(row.created_at.date() for row in orders)
    summary = system.call(
        "GET",
        "/analytics/summary",
        params={"from": days[0].isoformat(), "to": days[-1].isoformat()},
    ).json()
    reported = {
        "orders": summary["orders"],
        "units": summary["units"],
        "revenue": Decimal(summary["revenue"]),
        "returned_units": summary["returned_units"],
        "credited": Decimal(summary["revenue"]) - Decimal(summary["net_revenue"]),
    }
    differ = {
        name: (expected[name], reported[name])
        for name in expected
        if expected[name] != reported[name]
    }
    detail = ", ".join(f"{name} {value}" for name, value in reported.items())
    if differ:
        detail += f"; differ (orders, analytics): {differ}"
    return Finding("analytics totals equal the orders'", not differ, detail)
