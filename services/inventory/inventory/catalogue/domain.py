"""A product of the catalogue, free of Flask and SQL, and what its events tell the others.

A price, name, category or discontinuation changes what orders prices and accepts, so each
is announced (product.updated); reorder settings stay inventory's own business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class Product:
    """A catalogue entry; `changed` until a correction is saved."""

    sku: str
    name: str
    unit_price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime
    category: str | None = None
    reorder_point: int = 0
    reorder_quantity: int = 0
    lead_time_days: int = 0
    active: bool = True
    changed: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, details: dict, at: datetime) -> Product:
        """A new catalogue entry, announced so orders can price it."""
        product = cls(**details, created_at=at, updated_at=at)
        product.pending_events.append(("product.created", product.public_details()))
        return product

    def change(self, changes: dict, at: datetime) -> None:
        """Apply a correction; other services hear of it when what they know changed."""
        before = self.public_details()
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = at
        self.changed = True
        if self.public_details() != before:
            self.pending_events.append(("product.updated", self.public_details()))

    def public_details(self) -> dict:
        """What other services may know of a product (the product.* events' payload)."""
        return {
            "sku": self.sku,
            "name": self.name,
            "unit_price": self.unit_price,
            "currency": self.currency,
            "category": self.category,
            "active": self.active,
        }
