"""Analytics' copy of orders and products, and the daily figures kept with it: the only SQL
of the sales replica."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from analytics.reports.domain import month_of, week_of
from analytics.tables import history_sales, products, sales_daily, sales_lines, sales_orders
from erp_shared.copies import advance_order, fill_in_order, upsert_unless_newer
from erp_shared.db import dialect_insert


def record_placed(conn: Connection, values: dict, lines: list[dict], placed_at) -> None:
    """The order's figures and lines; a status that arrived first is kept."""
    fill_in_order(conn, sales_orders, values, placed_at, changed="status_changed_at")
    conn.execute(sales_lines.delete().where(sales_lines.c.order_id == values["order_id"]))
    conn.execute(sales_lines.insert(), [{"order_id": values["order_id"], **line} for line in lines])


def record_status(conn: Connection, order_id: str, status: str, at) -> None:
    advance_order(conn, sales_orders, order_id, status, at, changed="status_changed_at")


def order_for_figures(conn: Connection, order_id: str):
    """The order as the daily figures need it, locked; and its lines."""
    order = conn.execute(
        select(
            sales_orders.c.order_id,
            sales_orders.c.customer_id,
            sales_orders.c.channel,
            sales_orders.c.status,
            sales_orders.c.placed_at,
            sales_orders.c.aggregated,
        )
        .where(sales_orders.c.order_id == order_id)
        .with_for_update()
    ).first()
    lines = conn.execute(
        select(sales_lines.c.sku, sales_lines.c.quantity, sales_lines.c.unit_price).where(
            sales_lines.c.order_id == order_id
        )
    ).all()
    return order, lines


def add_returned_units(conn: Connection, order_id: str, units: int, at) -> None:
    """A return that overtook its order leaves a stub that order.placed fills in."""
    statement = dialect_insert(conn)(sales_orders).values(
        order_id=order_id, status="pending", status_changed_at=at, returned_units=units
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sales_orders.c.order_id],
            set_={"returned_units": sales_orders.c.returned_units + units},
        )
    )


def mark_aggregated(conn: Connection, order_id: str, aggregated: bool) -> None:
    conn.execute(
        update(sales_orders)
        .where(sales_orders.c.order_id == order_id)
        .values(aggregated=aggregated)
    )


def add_to_day(conn: Connection, row: dict) -> None:
    """Add (or, with negative figures, take away) an order's share of a day's figures; the
    day's week and month are filled in here."""
    day = row["day"]
    statement = dialect_insert(conn)(sales_daily).values(
        **row, week=week_of(day), month=month_of(day)
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sales_daily.c.dimension, sales_daily.c.key, sales_daily.c.day],
            set_={
                name: sales_daily.c[name] + statement.excluded[name]
                for name in ("orders", "units", "revenue")
            },
        )
    )


def upsert_product(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, products, "sku", values)


def reassign_customer(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(sales_orders).where(sales_orders.c.customer_id == from_id).values(customer_id=to_id)
    )
    figures = ("dimension", "day", "orders", "units", "revenue")
    moved = conn.execute(
        select(*(sales_daily.c[name] for name in figures)).where(
            sales_daily.c.dimension == "customer", sales_daily.c.key == from_id
        )
    ).all()
    for row in moved:
        add_to_day(conn, row._asdict() | {"key": to_id})
    conn.execute(
        sales_daily.delete().where(
            sales_daily.c.dimension == "customer", sales_daily.c.key == from_id
        )
    )


def add_history(conn: Connection, batch_id: str, lines: list[dict]) -> None:
    conn.execute(
        history_sales.insert(),
        [{"batch_id": batch_id, "line_no": n} | line for n, line in enumerate(lines, start=1)],
    )
