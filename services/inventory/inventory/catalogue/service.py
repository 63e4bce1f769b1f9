"""Catalogue use cases: each takes the caller's unit of work, which saves the products it
hands out and sends what they recorded."""

from __future__ import annotations

from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork
from inventory.catalogue import db
from inventory.catalogue.domain import Product


def create_product(uow: UnitOfWork, details: dict) -> Product:
    return uow.add(db, Product.create(details, uow.now))


def get_product(uow: UnitOfWork, sku: str) -> Product:
    product = db.get(uow.conn, sku)
    if product is None:
        raise Unknown(f"No product with SKU {sku}.")
    return product


def update_product(uow: UnitOfWork, sku: str, changes: dict) -> Product:
    product = uow.load(db, sku, for_update=True)
    if product is None:
        raise Unknown(f"No product with SKU {sku}.")
    product.change(changes, uow.now)
    return product


def list_products(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.page(uow.conn, filters, offset, limit)


def known_skus(uow: UnitOfWork, skus) -> set[str]:
    """Which of these SKUs the catalogue holds."""
    return db.existing_skus(uow.conn, skus)
