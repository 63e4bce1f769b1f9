"""Loading and saving sales orders and their shipments: the only SQL of the sales package.

An order is read and written whole (row, lines, history) as the `Order` aggregate, so no
database row travels beyond this module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import contains
from orders.sales.domain import OPEN_STATUSES, Order, OrderLine, StatusChange
from orders.tables import customers, order_history, order_lines, orders, products, shipments

_ORDER_FIELDS = (
    "id",
    "number",
    "customer_id",
    "channel",
    "status",
    "campaign_code",
    "shipping_address",
    "note",
    "currency",
    "rejection_reason",
    "rejected_for",
    "approved_by",
    "external_ref",
    "replaces_return_id",
    "placed_by",
    "created_at",
    "updated_at",
)
_CHANGING = ("status", "rejection_reason", "rejected_for", "approved_by", "updated_at")
_LINE_FIELDS = ("sku", "quantity", "unit_price", "tax_rate", "shipped", "returned")
SUMMARY_FIELDS = (
    "id",
    "number",
    "status",
    "customer_id",
    "channel",
    "subtotal",
    "tax",
    "total",
    "currency",
    "created_at",
    "updated_at",
)


def add(conn: Connection, order: Order) -> None:
    conn.execute(
        orders.insert(),
        {
            **{name: getattr(order, name) for name in _ORDER_FIELDS},
            "subtotal": order.subtotal,
            "tax": order.tax,
            "total": order.total,
        },
    )
    conn.execute(
        order_lines.insert(),
        [
            {
                "order_id": order.id,
                "line_no": number,
                **{name: getattr(line, name) for name in _LINE_FIELDS},
                "line_total": line.line_total,
                "tax": line.tax,
            }
            for number, line in enumerate(order.lines, start=1)
        ],
    )
    _add_history(conn, order, order.history)
    order.saved()


def save(conn: Connection, order: Order) -> None:
    """Write what changed since the order was loaded or last saved, as it tells: its moves,
    and its lines' shipped and returned counts when they moved. An unchanged order writes
    nothing, so saving twice is saving once."""
    if not order.changed:
        return
    conn.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values({name: getattr(order, name) for name in _CHANGING})
    )
    if order.lines_changed:
        for number, line in enumerate(order.lines, start=1):
            conn.execute(
                update(order_lines)
                .where(order_lines.c.order_id == order.id, order_lines.c.line_no == number)
                .values(shipped=line.shipped, returned=line.returned)
            )
    _add_history(conn, order, order.new_history)
    order.saved()


def _add_history(conn: Connection, order: Order, changes: list[StatusChange]) -> None:
    if changes:
        conn.execute(
            order_history.insert(),
            [
                {"order_id": order.id, "status": c.status, "at": c.at, "reason": c.reason}
                | {"actor": c.actor}
                for c in changes
            ],
        )


def get(conn: Connection, order_id: str, *, for_update: bool = False) -> Order | None:
    """The whole order; `for_update` locks its row (PostgreSQL) until the transaction ends."""
    query = select(*(orders.c[name] for name in _ORDER_FIELDS)).where(orders.c.id == order_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    lines = conn.execute(
        select(*(order_lines.c[name] for name in _LINE_FIELDS))
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    return Order(
        **row._asdict(),
        lines=[OrderLine(**line._asdict()) for line in lines],
        history=history_of(conn, order_id),
    )


def history_of(conn: Connection, order_id: str, after: int = 0) -> list[StatusChange]:
    """An order's status moves in order; `after` skips the first ones (for a live feed)."""
    rows = conn.execute(
        select(
            order_history.c.status,
            order_history.c.at,
            order_history.c.reason,
            order_history.c.actor,
        )
        .where(order_history.c.order_id == order_id)
        .order_by(order_history.c.id)
        .offset(after)
    )
    return [StatusChange(*row) for row in rows]


def page(conn: Connection, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
    """A page of orders, newest first, each naming its customer; `q` finds an order by its
    number, its channel's reference or its customer's name, in part and in any case."""
    query = select(
        *(orders.c[name] for name in SUMMARY_FIELDS),
        orders.c.external_ref,
        customers.c.name.label("customer_name"),
        *([orders.c.shipping_address] if filters.get("with_lines") else []),
    ).outerjoin(customers, customers.c.id == orders.c.customer_id)
    if filters.get("q"):
        query = query.where(
            contains(filters["q"], orders.c.number, orders.c.external_ref, customers.c.name)
        )
    for name in ("customer_id", "status", "channel"):
        if filters.get(name):
            query = query.where(orders.c[name] == filters[name])
    if filters.get("from_"):
        query = query.where(orders.c.created_at >= filters["from_"])
    if filters.get("to"):
        query = query.where(orders.c.created_at < filters["to"])
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    placed = (
        orders.c.created_at.asc() if filters.get("sort") == "oldest" else orders.c.created_at.desc()
    )
    items = [
        row._asdict()
        for row in conn.execute(query.order_by(placed, orders.c.id).offset(offset).limit(limit))
    ]
    if filters.get("with_lines"):
        _with_lines(conn, items)
    return items, total


def _with_lines(conn: Connection, items: list[dict]) -> None:
    """Each order's lines by product name, and what is left to ship of each."""
    by_id = {item["id"]: item for item in items}
    for item in items:
        item["lines"] = []
    rows = conn.execute(
        select(
            order_lines.c.order_id,
            order_lines.c.sku,
            products.c.name,
            order_lines.c.quantity,
            (order_lines.c.quantity - order_lines.c.shipped).label("to_ship"),
        )
        .outerjoin(products, products.c.sku == order_lines.c.sku)
        .where(order_lines.c.order_id.in_(list(by_id)))
        .order_by(order_lines.c.order_id, order_lines.c.line_no)
    )
    for row in rows:
        line = row._asdict()
        by_id[line.pop("order_id")]["lines"].append(line)


def open_amount(conn: Connection, customer_id: str) -> object:
    """What the customer's orders that still owe money add up to."""
    return conn.execute(
        select(func.coalesce(func.sum(orders.c.total), 0)).where(
            orders.c.customer_id == customer_id, orders.c.status.in_(OPEN_STATUSES)
        )
    ).scalar_one()


def forget_personal_details(conn: Connection, customer_id: str) -> None:
    conn.execute(
        update(orders)
        .where(orders.c.customer_id == customer_id)
        .values(shipping_address=None, note=None)
    )


def reassign_customer(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(update(orders).where(orders.c.customer_id == from_id).values(customer_id=to_id))


def add_shipment(conn: Connection, **values) -> None:
    conn.execute(shipments.insert(), values)


def shipments_of(conn: Connection, order_id: str) -> list[dict]:
    rows = conn.execute(
        select(
            shipments.c.id,
            shipments.c.carrier,
            shipments.c.tracking_number,
            shipments.c.lines,
            shipments.c.invoice_id,
            shipments.c.shipped_at,
        )
        .where(shipments.c.order_id == order_id)
        .order_by(shipments.c.shipped_at, shipments.c.id)
    )
    return [row._asdict() for row in rows]


def last_shipped_at(conn: Connection, order_id: str) -> datetime | None:
    return conn.execute(
        select(func.max(shipments.c.shipped_at)).where(shipments.c.order_id == order_id)
    ).scalar_one()
