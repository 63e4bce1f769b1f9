"""Loading and saving products: the only SQL of the catalogue package."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.engine import Connection

from erp_shared.db import insert_unique
from erp_shared.errors import Conflict
from inventory.catalogue.domain import Product
from inventory.tables import products

_COLUMNS = [f.name for f in fields(Product) if f.name != "pending_events"]


def add(conn: Connection, product: Product) -> None:
    insert_unique(
        conn,
        products.insert().values({name: getattr(product, name) for name in _COLUMNS}),
        Conflict(f"SKU {product.sku} is already in the catalogue.", {"sku": ["Already taken."]}),
    )


def get(conn: Connection, sku: str) -> Product | None:
    row = conn.execute(
        select(*(products.c[name] for name in _COLUMNS)).where(products.c.sku == sku)
    ).first()
    return None if row is None else Product(**row._asdict())


def existing_skus(conn: Connection, skus) -> set[str]:
    return set(conn.scalars(select(products.c.sku).where(products.c.sku.in_(list(skus)))))
