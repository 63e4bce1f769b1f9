"""The customer record and its rules, free of Flask and SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


def normalise_email(email: str) -> str:
    """One mailbox, one customer: addresses differing only in case are the same person."""
    return email.strip().lower()


def normalise_tags(tags: list[str]) -> list[str]:
    return sorted({tag.strip().lower() for tag in tags if tag.strip()})


@dataclass
class Customer:
    id: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime
    phone: str | None = None
    company: str | None = None
    credit_limit: Decimal | None = None
    tags: list[str] = field(default_factory=list)
    segment: str | None = None
    addresses: list[dict] = field(default_factory=list)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def register(cls, id: str, details: dict, at: datetime) -> Customer:
        """A new customer, announced so orders can be placed for them."""
        customer = cls(
            id=id,
            name=details["name"],
            email=normalise_email(details["email"]),
            phone=details.get("phone"),
            company=details.get("company"),
            credit_limit=details.get("credit_limit"),
            tags=normalise_tags(details.get("tags", [])),
            addresses=list(details.get("addresses", [])),
            created_at=at,
            updated_at=at,
        )
        customer.pending_events.append(("customer.registered", customer.public_details()))
        return customer

    def public_details(self) -> dict:
        """What other services may know of a customer (the customer.* events' payload)."""
        return {
            "customer_id": self.id,
            "name": self.name,
            "email": self.email,
            "credit_limit": self.credit_limit,
            "tags": self.tags,
        }
