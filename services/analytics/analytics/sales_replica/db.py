"""Analytics' copy of orders and products, and the daily figures kept with it: the only SQL
of the sales replica."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from analytics.domain import month_of, week_of
from analytics.sales_replica.domain import ADJUSTMENTS, Adjustment
from analytics.tables import (
    FIGURES,
    history_sales,
    products,
    sales_adjustments,
    sales_daily,
    sales_lines,
    sales_orders,
    sales_rollups,
)
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
    """The order as the daily figures need it, locked (None before order.placed or a
    status event made it known); its lines; and what happened to its goods since."""
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
    adjustments = conn.execute(
        select(
            sales_adjustments.c.sku,
            *(sales_adjustments.c[name] for name in ADJUSTMENTS),
        ).where(sales_adjustments.c.order_id == order_id)
    ).all()
    return order, lines, [Adjustment(**row._asdict()) for row in adjustments]


def adjust(conn: Connection, order_id: str, changes: list[Adjustment]) -> None:
    conn.execute(
        _adding(dialect_insert(conn), sales_adjustments, ADJUSTMENTS),
        [{"order_id": order_id, **asdict(change)} for change in changes],
    )


def mark_aggregated(conn: Connection, order_id: str, aggregated: bool) -> None:
    conn.execute(
        update(sales_orders)
        .where(sales_orders.c.order_id == order_id)
        .values(aggregated=aggregated)
    )


@cache
def _adding(insert, table: Table, sums: tuple[str, ...]):
    """An upsert that adds the given columns onto an existing row, built once per table so
    the handlers pay only for executing it."""
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key),
        set_={name: table.c[name] + statement.excluded[name] for name in sums},
    )


def add_figures(conn: Connection, shares: list[tuple]) -> None:
    """Add (or, with negative figures, take away) (dimension, key, day, figures) shares to
    their days' figures and to those of the days' weeks and months."""
    days, periods = [], []
    for dimension, key, day, figures in shares:
        values = {name: figures.get(name, 0) for name in FIGURES}
        week, month = week_of(day), month_of(day)
        place = {"dimension": dimension, "key": key, **values}
        days.append({"day": day, "week": week, "month": month, **place})
        periods += [{"grain": "week", "period": week, **place}]
        periods += [{"grain": "month", "period": month, **place}]
    if days:
        conn.execute(_adding(dialect_insert(conn), sales_daily, FIGURES), days)
        conn.execute(_adding(dialect_insert(conn), sales_rollups, FIGURES), periods)


def upsert_product(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, products, "sku", values)


def reassign_customer(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(sales_orders).where(sales_orders.c.customer_id == from_id).values(customer_id=to_id)
    )
    moved = conn.execute(
        select(sales_daily.c.day, *(sales_daily.c[name] for name in FIGURES)).where(
            sales_daily.c.dimension == "customer", sales_daily.c.key == from_id
        )
    ).all()
    add_figures(conn, [("customer", to_id, row.day, row._asdict()) for row in moved])
    for table in (sales_daily, sales_rollups):
        conn.execute(table.delete().where(table.c.dimension == "customer", table.c.key == from_id))


def add_history(conn: Connection, batch_id: str, lines: list[dict]) -> None:
    conn.execute(
        history_sales.insert(),
        [{"batch_id": batch_id, "line_no": n} | line for n, line in enumerate(lines, start=1)],
    )
