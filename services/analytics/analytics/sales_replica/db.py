"""Analytics' copy of orders and products, and the daily figures kept with it: the only SQL
of the sales replica."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache

from sqlalchemy import Table, case, distinct, func, literal, select, update
from sqlalchemy.engine import Connection

from analytics.domain import month_of, week_of
from analytics.sales_replica.domain import ADJUSTMENTS, Adjustment
from analytics.tables import (
    FIGURES,
    customer_segments,
    customers,
    external_customers,
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

# Values per IN (...) list: well under SQLite's limit on bound parameters.
IN_CHUNK = 500


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
            sales_orders.c.replacement,
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


def _chunks(values: list):
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def known_orders(conn: Connection, order_ids: list[str]) -> set[str]:
    known = set()
    for chunk in _chunks(order_ids):
        known.update(
            conn.execute(
                select(sales_orders.c.order_id).where(sales_orders.c.order_id.in_(chunk))
            ).scalars()
        )
    return known


def customers_named(conn: Connection, refs: list[str]) -> dict[str, str]:
    """The CRM customer each reference names, by id or by e-mail (in any case)."""
    named = {}
    for chunk in _chunks(refs):
        known = select(customers.c.customer_id).where(customers.c.customer_id.in_(chunk))
        named.update((customer_id, customer_id) for customer_id in conn.execute(known).scalars())
    wanted = {ref.lower(): ref for ref in refs if ref not in named}
    for chunk in _chunks(list(wanted)):
        for email, customer_id in conn.execute(
            select(func.lower(customers.c.email), customers.c.customer_id).where(
                func.lower(customers.c.email).in_(chunk)
            )
        ):
            named[wanted[email]] = customer_id
    return named


def keep_external_customers(conn: Connection, rows: list[dict]) -> None:
    if rows:
        statement = dialect_insert(conn)(external_customers).on_conflict_do_nothing()
        conn.execute(statement, rows)


def add_past_orders(conn: Connection, batch_id: str, orders: list[dict]) -> None:
    """The batch's orders and, summed per order and SKU from its lines, their lines."""
    if not orders:
        return
    conn.execute(sales_orders.insert(), orders)
    h = history_sales
    quantity, revenue = func.sum(h.c.quantity), func.sum(h.c.revenue)
    lines = (
        select(
            h.c.order_id,
            h.c.sku,
            quantity,
            # Money is kept in ten-thousandths: the integer division is the unit price's.
            case((quantity > 0, revenue / quantity), else_=0),
        )
        .where(h.c.batch_id == batch_id, h.c.order_id.is_not(None))
        .group_by(h.c.order_id, h.c.sku)
    )
    conn.execute(
        sales_lines.insert().from_select(["order_id", "sku", "quantity", "unit_price"], lines)
    )


def add_history_figures(conn: Connection, batch_id: str) -> None:
    """Add a loaded batch's sales to the figures, summed in SQL from its lines as the
    handlers share an order out (sales_replica.domain): each order once in its customer's
    and channel's row and in each of its SKUs' rows, a line without an order as one sale.
    Each row of a day, week and month is written once, however many lines it sums."""
    h = history_sales
    sales = func.count(distinct(h.c.order_id)) + func.sum(
        case((h.c.order_id.is_(None), 1), else_=0)
    )
    keys = {
        "product": (h.c.sku, sales, ()),
        "customer": (
            h.c.customer_id,
            func.count(distinct(h.c.order_id)),
            (h.c.customer_id.is_not(None),),
        ),
        "channel": (h.c.channel, sales, ()),
    }
    insert = dialect_insert(conn)
    for dimension, (key, orders, where) in keys.items():
        sums = (orders, func.sum(h.c.quantity), func.sum(h.c.revenue), 0, 0, 0)
        grouped = (h.c.batch_id == batch_id, *where)
        days = select(literal(dimension), key, h.c.day, h.c.week, h.c.month, *sums).where(*grouped)
        conn.execute(
            _adding(insert, sales_daily, FIGURES).from_select(
                ["dimension", "key", "day", "week", "month", *FIGURES],
                days.group_by(key, h.c.day, h.c.week, h.c.month),
            )
        )
        for grain in ("week", "month"):
            period = h.c[grain]
            periods = select(literal(grain), literal(dimension), period, key, *sums).where(*grouped)
            conn.execute(
                _adding(insert, sales_rollups, FIGURES).from_select(
                    ["grain", "dimension", "period", "key", *FIGURES],
                    periods.group_by(period, key),
                )
            )


def upsert_customer(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, customers, "customer_id", values)


def forget_customer(conn: Connection, customer_id: str) -> None:
    conn.execute(customers.delete().where(customers.c.customer_id == customer_id))


def external_customer(conn: Connection, customer_ref: str) -> str | None:
    return conn.execute(
        select(external_customers.c.customer_id).where(
            external_customers.c.customer_ref == customer_ref
        )
    ).scalar()


def drop_external_customer(conn: Connection, customer_id: str) -> None:
    conn.execute(external_customers.delete().where(external_customers.c.customer_id == customer_id))
    conn.execute(customer_segments.delete().where(customer_segments.c.customer_id == customer_id))
