"""What orders keeps of other services' data: copies fed by their events, never asked for.

Events carry no global order, so each copy remembers the time of the event it was last
written from, and an older event changes nothing (see db.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from erp_shared.errors import Invalid, refuse_unknown_skus


@dataclass(frozen=True)
class CataloguePrice:
    sku: str
    unit_price: Decimal
    currency: str
    category: str | None
    active: bool = True


@dataclass(frozen=True)
class Buyer:
    """Whom an invoice is for, as the CRM last described the customer."""

    name: str
    email: str
    company: str | None = None
    tax_id: str | None = None
    address: dict | None = None
    language: str | None = None


def billing_address(addresses: list[dict]) -> dict | None:
    """The CRM's rule for where invoices go, applied to its API's answer: the first billing
    address (its events carry the result already)."""
    billing = [address for address in addresses if address.get("kind") == "billing"]
    if not billing:
        return None
    return {name: billing[0][name] for name in ("line1", "city", "postal_code", "country")}


@dataclass(frozen=True)
class CustomerAccount:
    """What intake checks of a customer: that it exists, is not blocked, and its credit."""

    id: str
    credit_limit: Decimal | None
    blocked: bool


class NotReplicated(Invalid):
    """An order names a customer or SKUs this service has no copy of: unknown, or created a
    moment ago and its event not here yet. Which ones, so their owners can be asked."""

    def __init__(self, detail: str, errors: dict, customer_id: str | None, skus: set[str]):
        super().__init__(detail, errors)
        self.customer_id = customer_id
        self.skus = skus


def refuse_unreplicated(
    request: dict, customer: CustomerAccount | None, catalogue: dict[str, CataloguePrice]
) -> None:
    """Refuse an order whose customer or SKUs have no copy here, naming each (the customer
    first, as a person reads the form), and saying every one missing to whoever asks."""
    skus = {line["sku"] for line in request["lines"]} - catalogue.keys()
    if customer is not None and not skus:
        return
    missing = request["customer_id"] if customer is None else None
    if missing is not None:
        detail, errors = (
            "The order is for an unknown customer.",
            {"customer_id": [f"Unknown customer {missing}."]},
        )
    else:
        try:
            refuse_unknown_skus(
                request["lines"],
                catalogue,
                "The order names products that are not in the catalogue.",
            )
        except Invalid as unknown:
            detail, errors = unknown.detail, unknown.errors
    raise NotReplicated(detail, errors, missing, skus)
