"""Loading and saving sales orders: the only SQL of the sales package.

An order is read and written whole (row, lines, history) as the `Order` aggregate, so no
database row travels beyond this module.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert
from orders.sales.domain import Order, OrderLine, StatusChange
from orders.tables import order_history, order_lines, orders, sequences

_ORDER_FIELDS = (
    "id",
    "number",
    "customer_id",
    "channel",
    "status",
    "campaign_code",
    "shipping_address",
    "note",
    "tax",
    "currency",
    "rejection_reason",
    "placed_by",
    "created_at",
    "updated_at",
)


def next_in_sequence(conn: Connection, name: str) -> int:
    """Gap-free numbering: the counter row stays locked until the order commits."""
    statement = dialect_insert(conn)(sequences).values(name=name, value=1)
    return conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sequences.c.name], set_={"value": sequences.c.value + 1}
        ).returning(sequences.c.value)
    ).scalar_one()


def add(conn: Connection, order: Order) -> None:
    conn.execute(
        orders.insert().values(
            **{name: getattr(order, name) for name in _ORDER_FIELDS},
            subtotal=order.subtotal,
            total=order.total,
        )
    )
    conn.execute(
        order_lines.insert(),
        [
            {
                "order_id": order.id,
                "line_no": number,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
            }
            for number, line in enumerate(order.lines, start=1)
        ],
    )
    _add_history(conn, order, order.history)


def save(conn: Connection, order: Order, history_before: int) -> None:
    """Write an order's moves since it was loaded (its history then had `history_before`)."""
    conn.execute(
        update(orders)
        .where(orders.c.id == order.id)
        .values(
            status=order.status,
            rejection_reason=order.rejection_reason,
            updated_at=order.updated_at,
        )
    )
    _add_history(conn, order, order.history[history_before:])


def _add_history(conn: Connection, order: Order, changes: list[StatusChange]) -> None:
    if changes:
        conn.execute(
            order_history.insert(),
            [
                {"order_id": order.id, "status": c.status, "at": c.at, "reason": c.reason}
                for c in changes
            ],
        )


def get(conn: Connection, order_id: str, *, for_update: bool = False) -> Order | None:
    """The whole order; `for_update` locks its row (PostgreSQL) until the transaction ends."""
    query = select(orders).where(orders.c.id == order_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    lines = conn.execute(
        select(order_lines.c.sku, order_lines.c.quantity, order_lines.c.unit_price)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    history = conn.execute(
        select(order_history.c.status, order_history.c.at, order_history.c.reason)
        .where(order_history.c.order_id == order_id)
        .order_by(order_history.c.id)
    )
    return Order(
        **{name: getattr(row, name) for name in _ORDER_FIELDS},
        lines=[OrderLine(line.sku, line.quantity, line.unit_price) for line in lines],
        history=[StatusChange(entry.status, entry.at, entry.reason) for entry in history],
    )
