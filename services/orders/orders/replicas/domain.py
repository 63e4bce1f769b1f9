"""What orders keeps of other services' data: copies fed by their events, never asked for.

Events carry no global order, so each copy remembers the time of the event it was last
written from, and an older event changes nothing (see db.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CataloguePrice:
    sku: str
    unit_price: Decimal
    currency: str
    category: str | None
    active: bool = True


@dataclass(frozen=True)
class CustomerAccount:
    """What intake checks of a customer: that it exists, is not blocked, and its credit."""

    id: str
    credit_limit: Decimal | None
    blocked: bool
