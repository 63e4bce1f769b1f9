"""Customer use cases: register, change, find, erase, and log interactions. Each takes the
caller's unit of work, which saves the customers it handed out and sends their events at the
commit."""

from __future__ import annotations

import uuid

from crm.customers import db
from crm.customers.domain import Customer
from erp_shared.errors import Invalid, Unknown
from erp_shared.uow import UnitOfWork


def register_customer(uow: UnitOfWork, details: dict) -> Customer:
    return uow.add(db, Customer.register(str(uuid.uuid4()), details, uow.now))


def get_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = db.get(uow.conn, customer_id)
    if customer is None:
        raise Unknown(f"No customer {customer_id}.")
    return customer


def _to_change(uow: UnitOfWork, customer_id: str) -> Customer:
    """The customer, locked until the commit, which saves it."""
    customer = uow.load(db, customer_id, for_update=True)
    if customer is None:
        raise Unknown(f"No customer {customer_id}.")
    return customer


def update_customer(
    uow: UnitOfWork, customer_id: str, changes: dict, *, by_customer: bool = False
) -> Customer:
    customer = _to_change(uow, customer_id)
    customer.change(changes, uow.now, by_customer=by_customer)
    return customer


def search_customers(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.search(uow.conn, filters, offset, limit)


def erase_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    """GDPR erasure: personal fields anonymised here, and every other service told."""
    customer = _to_change(uow, customer_id)
    customer.erase(uow.now)
    db.forget_interactions(uow.conn, customer_id)
    return customer


def merge_records(uow: UnitOfWork, merged_id: str, survivor_id: str) -> Customer:
    """The duplicate points to the survivor; its interactions move there."""
    merged = _to_change(uow, merged_id)
    survivor = uow.load(db, survivor_id, for_update=True)
    if survivor is None:
        raise Invalid(
            f"No customer {survivor_id} to merge into.",
            {"survivor_id": ["Not another live customer."]},
        )
    merged.merge_into(survivor, uow.now)
    db.move_interactions(uow.conn, merged_id, survivor_id)
    return survivor


def assign_segment(uow: UnitOfWork, customer_id: str, segment: str) -> None:
    """Analytics decides the segment from buying behaviour; the CRM shows it on the record."""
    db.set_segment(uow.conn, customer_id, segment, uow.now)


def log_interaction(uow: UnitOfWork, customer_id: str, interaction: dict) -> dict:
    get_customer(uow, customer_id)
    entry = {
        "id": str(uuid.uuid4()),
        "channel": interaction["channel"],
        "summary": interaction["summary"],
        "occurred_at": interaction.get("occurred_at") or uow.now,
        "recorded_by": uow.actor,
    }
    db.add_interaction(uow.conn, customer_id=customer_id, **entry)
    return entry


def interactions_of(uow: UnitOfWork, customer_id: str, offset: int, limit: int):
    get_customer(uow, customer_id)
    return db.interactions_page(uow.conn, customer_id, offset, limit)
