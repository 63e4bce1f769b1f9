"""Replica use cases: keep the copies current from events, and answer what sales asks of them."""

from __future__ import annotations

from datetime import datetime

from erp_shared.uow import UnitOfWork
from orders.replicas import db, owners
from orders.replicas.domain import (
    Buyer,
    CataloguePrice,
    CustomerAccount,
    NotReplicated,
    billing_address,
    refuse_unreplicated,
)

__all__ = ["NotReplicated", "refuse_unreplicated"]


def replicate_customer(uow: UnitOfWork, data: dict, as_of: datetime) -> None:
    """Keep the local copy of a CRM customer that orders are checked against and invoices
    are addressed from."""
    db.upsert_customer(
        uow.conn,
        {
            "id": data["customer_id"],
            "name": data["name"],
            "email": data["email"],
            "credit_limit": data.get("credit_limit"),
            "tags": data.get("tags") or [],
            "blocked": data.get("blocked", False),
            "company": data.get("company"),
            "tax_id": data.get("tax_id"),
            "billing_address": data.get("billing_address"),
            "language": data.get("language"),
            "source_updated_at": as_of,
        },
    )


def replicate_product(uow: UnitOfWork, data: dict, as_of: datetime) -> None:
    """Keep the local copy of a catalogue entry that orders are priced from."""
    db.upsert_product(
        uow.conn,
        {
            "sku": data["sku"],
            "name": data["name"],
            "unit_price": data["unit_price"],
            "currency": data["currency"],
            "category": data.get("category"),
            "active": data.get("active", True),
            "source_updated_at": as_of,
        },
    )


def replicate_campaign(uow: UnitOfWork, data: dict) -> None:
    """Remember a CRM campaign's code, which orders may then carry."""
    db.add_campaign(uow.conn, data["code"], data["campaign_id"])


def erase_customer(uow: UnitOfWork, customer_id: str) -> None:
    """GDPR erasure in the CRM: the copy keeps the id (orders point to it), nothing personal."""
    db.anonymise_customer(uow.conn, customer_id)


def customer(
    uow: UnitOfWork, customer_id: str, *, for_update: bool = False
) -> CustomerAccount | None:
    """What orders knows of a CRM customer; None when it has not heard of it. `for_update`
    holds the customer's row until the transaction ends: another placement for the same
    customer waits there."""
    return db.customer(uow.conn, customer_id, for_update=for_update)


def buyer(uow: UnitOfWork, customer_id: str) -> Buyer | None:
    """Whom an invoice for this customer is addressed to; None when never heard of."""
    return db.buyer(uow.conn, customer_id)


def product_names(uow: UnitOfWork, skus) -> dict[str, str]:
    """The catalogue's name of each SKU it knows."""
    return db.product_names(uow.conn, skus)


def campaign_exists(uow: UnitOfWork, code: str) -> bool:
    return db.has_campaign(uow.conn, code)


def catalogue_prices(uow: UnitOfWork, skus) -> dict[str, CataloguePrice]:
    """The catalogue's current price of each SKU it knows; unknown SKUs are left out."""
    return db.prices(uow.conn, skus)


def read_from_owners(missing: NotReplicated, owner_urls: dict[str, str], authorization):
    """What the CRM and inventory answer for the customer and SKUs an order found no copy
    of: (customer record or None, product records); an owner without a URL is not asked.
    Outside any transaction: a database lock is never held while another service is asked."""
    crm, inventory = owner_urls.get("crm"), owner_urls.get("inventory")
    if len(missing.skus) > owners.MOST_ASKED:
        return None, []
    customer = None
    if missing.customer_id is not None and crm:
        customer = owners.read(crm, f"customers/{missing.customer_id}", authorization)
    products = [
        found
        for sku in sorted(missing.skus)
        if inventory and (found := owners.read(inventory, f"products/{sku}", authorization))
    ]
    return customer, products


def keep_from_owners(uow: UnitOfWork, customer: dict | None, products: list[dict]) -> None:
    """Keep what the owners answered as the events would have, dated now."""
    if customer is not None:
        address = billing_address(customer.get("addresses") or [])
        replicate_customer(
            uow, {"customer_id": customer["id"], **customer, "billing_address": address}, uow.now
        )
    for product in products:
        replicate_product(uow, product, uow.now)
