"""The customer record and its rules, free of Flask and SQL.

One mailbox, one customer: emails are compared in lower case. Every change that other
services rely on (name, email, credit, tags, blocked, and what an invoice prints: company,
tax id, billing address, language) is announced as customer.updated. Two
records of one person are merged into the survivor; erasure (GDPR) anonymises every personal
field here and tells the other services to do the same, keeping what was bought and for how
much. A customer keeps whether it changed since it was loaded or last saved, so saving an
unchanged one writes nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from crm.domain import refuse_staff_only
from erp_shared.errors import Invalid, NotAllowed

ERASED = "erased"
# What the business decides about a customer (how much credit, whether it may order, how it
# is tagged): staff set these, never the customer editing its own record.
STAFF_ONLY = ("credit_limit", "blocked", "tags")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_tags(tags: list[str]) -> list[str]:
    return sorted({tag.strip().lower() for tag in tags if tag.strip()})


def searchable(*values: str | None) -> str:
    """What search matches: lower case and without accents, so 'Zoë' is found by 'zoe';
    control characters (a NUL ends an FTS5 string early) are dropped."""
    text = " ".join(value for value in values if value)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cc"
    ).lower()


@dataclass
class Customer:
    id: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime
    phone: str | None = None
    company: str | None = None
    tax_id: str | None = None
    language: str | None = None
    credit_limit: Decimal | None = None
    tags: list[str] = field(default_factory=list)
    segment: str | None = None
    blocked: bool = False
    merged_into: str | None = None
    erased_at: datetime | None = None
    addresses: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    changed: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @property
    def search_text(self) -> str:
        if self.erased_at or self.merged_into:
            return ""
        return searchable(self.name, self.email, self.company, self.phone)

    @classmethod
    def register(cls, id: str, details: dict, at: datetime) -> Customer:
        """A new customer, announced so orders can be placed for them."""
        customer = cls(id=id, name="", email="", created_at=at, updated_at=at)
        customer._apply(details)
        customer.pending_events.append(("customer.registered", customer.public_details()))
        return customer

    def _apply(self, details: dict) -> None:
        for name, value in details.items():
            if name == "email":
                value = normalise_email(value)
            elif name == "tags":
                value = normalise_tags(value)
            setattr(self, name, value)

    def change(self, changes: dict, at: datetime, *, by_customer: bool = False) -> None:
        """Apply the changes; a customer editing its own record may change its details,
        not what staff decide about it (STAFF_ONLY)."""
        if by_customer:
            refuse_staff_only(changes, STAFF_ONLY)
        self._refuse_if_gone()
        self._apply(changes)
        self._touch(at)
        self.pending_events.append(("customer.updated", self.public_details()))

    def merge_into(self, survivor: Customer, at: datetime) -> None:
        """This record was a duplicate of `survivor`: its history now belongs there."""
        self._refuse_if_gone()
        if survivor.id == self.id or survivor.merged_into or survivor.erased_at:
            raise Invalid(
                "A customer merges into another, live record.",
                {"survivor_id": ["Not another live customer."]},
            )
        survivor.tags = normalise_tags([*survivor.tags, *self.tags])
        survivor._touch(at)
        self.merged_into = survivor.id
        self._touch(at)
        self.pending_events.append(
            ("customer.merged", {"customer_id": self.id, "survivor_id": survivor.id})
        )
        survivor.pending_events.append(("customer.updated", survivor.public_details()))

    def erase(self, at: datetime) -> None:
        """Anonymise every personal field; what was bought stays, under the same id."""
        if self.erased_at:
            return
        self.name, self.email = ERASED, f"erased-{self.id}@erased.invalid"
        self.phone = self.company = self.tax_id = None
        self.tags, self.addresses, self.contacts = [], [], []
        self.erased_at = at
        self._touch(at)
        self.pending_events.append(("customer.erased", {"customer_id": self.id}))

    def _touch(self, at: datetime) -> None:
        self.updated_at, self.changed = at, True

    def _refuse_if_gone(self) -> None:
        if self.erased_at or self.merged_into:
            raise NotAllowed(f"Customer {self.id} was erased or merged.")

    def public_details(self) -> dict:
        """What other services may know of a customer (the customer.* events' payload)."""
        return {
            "customer_id": self.id,
            "name": self.name,
            "email": self.email,
            "credit_limit": self.credit_limit,
            "tags": self.tags,
            "blocked": self.blocked,
            "company": self.company,
            "tax_id": self.tax_id,
            "billing_address": self.billing_address,
            "language": self.language,
        }

    @property
    def billing_address(self) -> dict | None:
        """Where its invoices are addressed: its first billing address, else none."""
        billing = [a for a in self.addresses if a["kind"] == "billing"]
        if not billing:
            return None
        return {name: billing[0][name] for name in ("line1", "city", "postal_code", "country")}
