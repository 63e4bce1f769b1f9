"""CRM use cases: one function per command, each in one unit of work."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from crm import db, domain
from erp_shared.db import read_only, utcnow
from erp_shared.errors import Conflict, NotFound
from erp_shared.uow import UnitOfWork

SERVICE = "crm"


def register_customer(engine: Engine, data: dict) -> dict:
    customer_id = str(uuid.uuid4())
    email = domain.normalise_email(data["email"])
    now = utcnow()
    values = {
        "id": customer_id,
        "name": data["name"],
        "email": email,
        "phone": data.get("phone"),
        "company": data.get("company"),
        "credit_limit": data.get("credit_limit"),
        "tags": domain.normalise_tags(data.get("tags", [])),
        "segment": None,
        "created_at": now,
        "updated_at": now,
    }
    taken = Conflict(f"A customer with email {email} already exists.", {"email": ["Already used."]})
    try:
        with UnitOfWork(engine, SERVICE) as uow:
            if db.email_taken(uow.conn, email):
                raise taken
            db.insert_customer(uow.conn, values, data.get("addresses", []))
            uow.emit(
                "customer.registered",
                {
                    "customer_id": customer_id,
                    "name": values["name"],
                    "email": email,
                    "credit_limit": values["credit_limit"],
                    "tags": values["tags"],
                },
            )
    except IntegrityError:
        raise taken from None
    return get_customer(engine, customer_id)


def get_customer(engine: Engine, customer_id: str) -> dict:
    with read_only(engine) as conn:
        customer = db.customer_by_id(conn, customer_id)
        if customer is None:
            raise NotFound(f"No customer {customer_id}.")
        customer_addresses = db.addresses_of(conn, customer_id)
    body = dict(customer._mapping)
    body["addresses"] = [dict(a._mapping) for a in customer_addresses]
    return body


def assign_segment(uow: UnitOfWork, customer_id: str, segment: str) -> None:
    """Analytics decides the segment from buying behaviour; the CRM shows it on the record."""
    db.set_segment(uow.conn, customer_id, segment, utcnow())
