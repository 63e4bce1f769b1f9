"""The customer and catalogue copies: the only SQL of the replicas package."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from erp_shared.copies import upsert_unless_newer
from orders.replicas.domain import CataloguePrice, CustomerAccount
from orders.tables import customers, products


def upsert_customer(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, customers, "id", values)


def upsert_product(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, products, "sku", values)


def anonymise_customer(conn: Connection, customer_id: str) -> None:
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(name="erased", email=f"erased-{customer_id}@erased.invalid", tags=[], blocked=True)
    )


def customer(conn: Connection, customer_id: str) -> CustomerAccount | None:
    row = conn.execute(
        select(customers.c.id, customers.c.credit_limit, customers.c.blocked).where(
            customers.c.id == customer_id
        )
    ).first()
    return None if row is None else CustomerAccount(*row)


def prices(conn: Connection, skus) -> dict[str, CataloguePrice]:
    rows = conn.execute(
        select(
            products.c.sku,
            products.c.unit_price,
            products.c.currency,
            products.c.category,
            products.c.active,
        ).where(products.c.sku.in_(list(skus)))
    )
    return {row.sku: CataloguePrice(*row) for row in rows}
