"""The customer, campaign and catalogue copies: the only SQL of the replicas package."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from erp_shared.copies import upsert_unless_newer
from erp_shared.db import dialect_insert
from orders.replicas.domain import Buyer, CataloguePrice, CustomerAccount
from orders.tables import campaigns, customers, products


def upsert_customer(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, customers, "id", values)


def upsert_product(conn: Connection, values: dict) -> None:
    upsert_unless_newer(conn, products, "sku", values)


def add_campaign(conn: Connection, code: str, campaign_id: str) -> None:
    """A campaign's code, once (a redelivered event changes nothing)."""
    statement = dialect_insert(conn)(campaigns).values(code=code, campaign_id=campaign_id)
    conn.execute(statement.on_conflict_do_nothing(index_elements=[campaigns.c.code]))


def anonymise_customer(conn: Connection, customer_id: str) -> None:
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(
            name="erased",
            email=f"erased-{customer_id}@erased.invalid",
            tags=[],
            blocked=True,
            company=None,
            tax_id=None,
            billing_address=None,
            language=None,
        )
    )


# Asked on every placement: built once, with their values bound at each call (building a
# statement costs more than running it on SQLite).
_CUSTOMER = select(customers.c.id, customers.c.credit_limit, customers.c.blocked).where(
    customers.c.id == bindparam("customer_id")
)
_CUSTOMER_LOCKED = _CUSTOMER.with_for_update()
_PRICES = select(
    products.c.sku,
    products.c.unit_price,
    products.c.currency,
    products.c.category,
    products.c.active,
).where(products.c.sku.in_(bindparam("skus", expanding=True)))


def customer(
    conn: Connection, customer_id: str, *, for_update: bool = False
) -> CustomerAccount | None:
    """The customer's account; `for_update` locks its row (PostgreSQL) until the transaction
    ends."""
    statement = _CUSTOMER_LOCKED if for_update else _CUSTOMER
    row = conn.execute(statement, {"customer_id": customer_id}).first()
    return None if row is None else CustomerAccount(*row)


def buyer(conn: Connection, customer_id: str) -> Buyer | None:
    row = conn.execute(
        select(
            customers.c.name,
            customers.c.email,
            customers.c.company,
            customers.c.tax_id,
            customers.c.billing_address,
            customers.c.language,
        ).where(customers.c.id == customer_id)
    ).first()
    return None if row is None else Buyer(*row)


def product_names(conn: Connection, skus) -> dict[str, str]:
    rows = conn.execute(
        select(products.c.sku, products.c.name).where(products.c.sku.in_(list(skus)))
    )
    return {row.sku: row.name for row in rows}


def has_campaign(conn: Connection, code: str) -> bool:
    found = select(campaigns.c.code).where(campaigns.c.code == code)
    return conn.execute(found).first() is not None


def prices(conn: Connection, skus) -> dict[str, CataloguePrice]:
    rows = conn.execute(_PRICES, {"skus": list(skus)})
    return {row.sku: CataloguePrice(*row) for row in rows}
