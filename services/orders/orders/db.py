"""Orders tables, the catalogue and customer replicas, and every query against them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.engine import Connection

from erp_shared.db import Money, UtcDateTime, dialect_insert, utcnow

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("category", String(100)),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("campaign_code", String(64)),
    Column("shipping_address", JSON),
    Column("note", Text),
    Column("subtotal", Money, nullable=False),
    Column("tax", Money, nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rejection_reason", String(500)),
    Column("placed_by", String(80), nullable=False),
    Column("idempotency_key", String(200)),
    Column("request_hash", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('pending', 'confirmed', 'rejected', 'shipped', 'delivered', 'cancelled')",
        name="ck_order_status",
    ),
    # A key is the caller's own: two clients may well both choose "1".
    UniqueConstraint("placed_by", "idempotency_key", name="uq_order_idempotency_key"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("line_total", Money, nullable=False),
    CheckConstraint("quantity > 0", name="ck_order_line_quantity_positive"),
)

order_history = Table(
    "order_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", String(500)),
)

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)


def _upsert(conn: Connection, table: Table, key: str, values: dict) -> None:
    """Apply a replica event unless a newer one was already applied (events carry no order)."""
    statement = dialect_insert(conn)(table).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[key]],
            set_={name: statement.excluded[name] for name in values if name != key},
            where=table.c.source_updated_at <= statement.excluded.source_updated_at,
        )
    )


def upsert_customer(conn: Connection, values: dict) -> None:
    _upsert(conn, customers, "id", values)


def upsert_product(conn: Connection, values: dict) -> None:
    _upsert(conn, products, "sku", values)


def customer_exists(conn: Connection, customer_id: str) -> bool:
    return (
        conn.execute(select(customers.c.id).where(customers.c.id == customer_id)).first()
        is not None
    )


def catalogue(conn: Connection, skus) -> dict[str, dict]:
    rows = conn.execute(select(products).where(products.c.sku.in_(list(skus))))
    return {row.sku: dict(row._mapping) for row in rows}


def next_in_sequence(conn: Connection, name: str) -> int:
    """Gap-free numbering: the counter row stays locked until the order commits."""
    statement = dialect_insert(conn)(sequences).values(name=name, value=1)
    return conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sequences.c.name], set_={"value": sequences.c.value + 1}
        ).returning(sequences.c.value)
    ).scalar_one()


def insert_order(conn: Connection, values: dict, lines: list[dict]) -> None:
    conn.execute(orders.insert().values(**values))
    conn.execute(order_lines.insert(), [{"order_id": values["id"], **line} for line in lines])


def add_history(conn: Connection, order_id: str, status: str, reason: str | None = None) -> None:
    conn.execute(
        order_history.insert().values(order_id=order_id, status=status, at=utcnow(), reason=reason)
    )


def order_by_id(conn: Connection, order_id: str):
    return conn.execute(select(orders).where(orders.c.id == order_id)).first()


def order_for_update(conn: Connection, order_id: str):
    return conn.execute(select(orders).where(orders.c.id == order_id).with_for_update()).first()


def order_by_idempotency_key(conn: Connection, caller: str, key: str):
    return conn.execute(
        select(orders).where(orders.c.placed_by == caller, orders.c.idempotency_key == key)
    ).first()


def set_status(conn: Connection, order_id: str, status: str, **values) -> None:
    conn.execute(
        update(orders)
        .where(orders.c.id == order_id)
        .values(status=status, updated_at=utcnow(), **values)
    )


def lines_of(conn: Connection, order_id: str):
    return conn.execute(
        select(order_lines)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    ).all()


def history_of(conn: Connection, order_id: str):
    return conn.execute(
        select(order_history)
        .where(order_history.c.order_id == order_id)
        .order_by(order_history.c.id)
    ).all()
