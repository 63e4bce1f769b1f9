"""Reading the reports: the only SQL of the reports package.

A report reads the periods in its range by the plan `reading_plan` makes: whole weeks and
months from the rollups, part periods from their days or from their rollup less the days
outside the range. A year by month reads about twelve rows per key, whatever the volume.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, func, literal, or_, select, union_all
from sqlalchemy.engine import Connection

from analytics.reports.domain import Part, reading_plan
from analytics.tables import FIGURES, products, sales_daily, sales_rollups


def _grouped(rows, period, group_by: str, *where):
    """Sum (key, figures) rows per period and key, or per the key's category."""
    if group_by == "category":
        key = func.coalesce(products.c.category, "uncategorised")
        source = rows.outerjoin(products, products.c.sku == rows.c.key)
    else:
        key, source = rows.c.key, rows
    return (
        select(
            period.label("period"),
            key.label("key"),
            *(func.sum(rows.c[name]).label(name) for name in FIGURES),
        )
        .select_from(source)
        .where(*where)
        .group_by(period, key)
        # A row shows while any figure is left: an order cancelled after confirming leaves
        # zeros, an exchange's replacement only the cost of the goods it sent.
        .having(or_(*(func.sum(rows.c[name]) != 0 for name in FIGURES)))
        .order_by(period, key)
    )


def _dimension(group_by: str) -> str:
    return "product" if group_by == "category" else group_by


def _days(part: Part, granularity: str, group_by: str):
    day = sales_daily.c.day
    return _grouped(
        sales_daily,
        sales_daily.c[granularity],
        group_by,
        sales_daily.c.dimension == _dimension(group_by),
        day.between(part.first, part.last),
    )


def _whole(part: Part, granularity: str, group_by: str):
    """Whole periods' rows: already one per period and key, read in key order, unless
    products are gathered into categories."""
    table = sales_rollups
    where = (
        table.c.grain == granularity,
        table.c.dimension == _dimension(group_by),
        table.c.period >= part.first,
        table.c.period < part.last,
    )
    if group_by == "category":
        return _grouped(table, table.c.period, group_by, *where)
    return (
        select(table.c.period, table.c.key, *(table.c[name] for name in FIGURES))
        .where(table.c.orders > 0, *where)
        .order_by(table.c.period, table.c.key)
    )


def _less(part: Part, granularity: str, group_by: str):
    """One period's rollup less the daily figures of the days outside the range."""
    dimension = _dimension(group_by)
    whole = select(sales_rollups.c.key, *(sales_rollups.c[name] for name in FIGURES)).where(
        sales_rollups.c.grain == granularity,
        sales_rollups.c.dimension == dimension,
        sales_rollups.c.period == part.first,
    )
    outside = select(sales_daily.c.key, *(-sales_daily.c[name] for name in FIGURES)).where(
        sales_daily.c.dimension == dimension,
        or_(*(sales_daily.c.day.between(a, b) for a, b in part.outside)),
    )
    rows = union_all(whole, outside).subquery()
    return _grouped(rows, literal(part.first, Date), group_by)


READERS = {"days": _days, "whole": _whole, "less": _less}


def sales(
    conn: Connection,
    start: date,
    end: date,
    granularity: str,
    group_by: str,
    page: tuple[int, int] | None = None,
) -> tuple[list[dict], int]:
    """Each period's and key's figures over start..end, by period then key; with `page`
    (offset, limit) only those rows; and how many there are in all. The parts of the plan
    are in period order, so a page is cut from them one after the other."""
    parts = [
        READERS[part.how](part, granularity, group_by)
        for part in reading_plan(start, end, granularity)
    ]
    if page is None:
        rows = [row._asdict() for part in parts for row in conn.execute(part)]
        return rows, len(rows)
    offset, limit = page
    rows, total = [], 0
    for part in parts:
        count = conn.execute(select(func.count()).select_from(part.order_by(None).subquery()))
        size = count.scalar_one()
        total += size
        if offset >= size:
            offset -= size
            continue
        if len(rows) < limit:
            found = conn.execute(part.offset(offset).limit(limit - len(rows)))
            rows += [row._asdict() for row in found]
        offset = 0
    return rows, total
