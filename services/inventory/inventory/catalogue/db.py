"""Loading and saving products: the only SQL of the catalogue package."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import insert_unique
from erp_shared.errors import Conflict
from inventory.catalogue.domain import Product
from inventory.tables import products

_COLUMNS = [f.name for f in fields(Product) if f.name not in ("changed", "pending_events")]


def add(conn: Connection, product: Product) -> None:
    insert_unique(
        conn,
        products.insert().values({name: getattr(product, name) for name in _COLUMNS}),
        Conflict(f"SKU {product.sku} is already in the catalogue.", {"sku": ["Already taken."]}),
    )


def save(conn: Connection, product: Product) -> None:
    """Write the product if it changed since loaded or last saved."""
    if not product.changed:
        return
    conn.execute(
        update(products)
        .where(products.c.sku == product.sku)
        .values({name: getattr(product, name) for name in _COLUMNS if name != "sku"})
    )
    product.changed = False


def page(conn: Connection, filters: dict, offset: int, limit: int) -> tuple[list[Product], int]:
    query = select(*(products.c[name] for name in _COLUMNS))
    if filters.get("category"):
        query = query.where(products.c.category == filters["category"])
    if filters.get("active") is not None:
        query = query.where(products.c.active == filters["active"])
    if filters.get("q"):
        text = filters["q"].lower()
        query = query.where(
            func.lower(products.c.sku).contains(text, autoescape=True)
            | func.lower(products.c.name).contains(text, autoescape=True)
        )
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(products.c.sku).offset(offset).limit(limit))
    return [Product(**row._asdict()) for row in rows], total


def get(conn: Connection, sku: str, *, for_update: bool = False) -> Product | None:
    query = select(*(products.c[name] for name in _COLUMNS)).where(products.c.sku == sku)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return None if row is None else Product(**row._asdict())


def existing_skus(conn: Connection, skus) -> set[str]:
    return set(conn.scalars(select(products.c.sku).where(products.c.sku.in_(list(skus)))))
