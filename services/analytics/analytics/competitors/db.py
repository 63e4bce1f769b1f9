"""Competitors' observations, and what the comparison reads of our own: the only SQL of the
competitors package."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from analytics.competitors.domain import Observation
from analytics.tables import competitor_observations, products, sales_daily


def add(conn: Connection, values: dict) -> None:
    conn.execute(competitor_observations.insert().values(**values))


def product(conn: Connection, sku: str):
    return conn.execute(
        select(products.c.sku, products.c.category, products.c.unit_price).where(
            products.c.sku == sku
        )
    ).first()


def skus_in(conn: Connection, category: str) -> list[str]:
    return list(
        conn.scalars(
            select(products.c.sku).where(products.c.category == category).order_by(products.c.sku)
        )
    )


def observations(conn: Connection, sku: str, category: str | None, since) -> list[Observation]:
    """What competitors were seen to ask for the SKU, or for its category, since `since`."""
    about = competitor_observations.c.sku == sku
    if category:
        about = or_(about, competitor_observations.c.category == category)
    rows = conn.execute(
        select(
            competitor_observations.c.competitor,
            competitor_observations.c.price,
            competitor_observations.c.currency,
            competitor_observations.c.observed_at,
            competitor_observations.c.units_sold,
        ).where(about, competitor_observations.c.observed_at >= since)
    )
    return [Observation(*row) for row in rows]


def units_sold(conn: Connection, sku: str, since: date) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(sales_daily.c.units), 0)).where(
            sales_daily.c.dimension == "product",
            sales_daily.c.key == sku,
            sales_daily.c.day >= since,
        )
    ).scalar_one()
