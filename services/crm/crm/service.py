"""CRM use cases: each takes the caller's unit of work."""

from __future__ import annotations

import uuid

from crm import db
from crm.domain import Customer
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork


def register_customer(uow: UnitOfWork, details: dict) -> Customer:
    customer = Customer.register(str(uuid.uuid4()), details, uow.now)
    db.add(uow.conn, customer)
    uow.collect([customer])
    return customer


def get_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = db.get(uow.conn, customer_id)
    if customer is None:
        raise Unknown(f"No customer {customer_id}.")
    return customer


def assign_segment(uow: UnitOfWork, customer_id: str, segment: str) -> None:
    """Analytics decides the segment from buying behaviour; the CRM shows it on the record."""
    db.set_segment(uow.conn, customer_id, segment, uow.now)
