"""The customer and catalogue copies: the only SQL of the replicas package."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
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


# Asked on every placement: built once, with their values bound at each call (building a
# statement costs more than running it on SQLite).
_CUSTOMER = select(customers.c.id, customers.c.credit_limit, customers.c.blocked).where(
    customers.c.id == bindparam("customer_id")
)
_PRICES = select(
    products.c.sku,
    products.c.unit_price,
    products.c.currency,
    products.c.category,
    products.c.active,
).where(products.c.sku.in_(bindparam("skus", expanding=True)))


def customer(conn: Connection, customer_id: str) -> CustomerAccount | None:
    row = conn.execute(_CUSTOMER, {"customer_id": customer_id}).first()
    return None if row is None else CustomerAccount(*row)


def prices(conn: Connection, skus) -> dict[str, CataloguePrice]:
    rows = conn.execute(_PRICES, {"skus": list(skus)})
    return {row.sku: CataloguePrice(*row) for row in rows}
