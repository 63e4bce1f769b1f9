"""The series a forecast is made from: units per day from the daily figures (orders and
history imports), for a SKU, a category or everything."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from analytics.tables import products, sales_daily


def known_sku(conn: Connection, sku: str) -> bool:
    in_catalogue = select(products.c.sku).where(products.c.sku == sku)
    sold = select(sales_daily.c.key).where(
        sales_daily.c.dimension == "product", sales_daily.c.key == sku
    )
    return bool(conn.execute(in_catalogue).first() or conn.execute(sold.limit(1)).first())


def daily_units(conn: Connection, sku: str | None, category: str | None) -> list[tuple]:
    query = select(sales_daily.c.day, func.sum(sales_daily.c.units)).where(
        sales_daily.c.dimension == "product"
    )
    if sku:
        query = query.where(sales_daily.c.key == sku)
    elif category:
        query = query.where(
            sales_daily.c.key.in_(select(products.c.sku).where(products.c.category == category))
        )
    return conn.execute(query.group_by(sales_daily.c.day).order_by(sales_daily.c.day)).all()
