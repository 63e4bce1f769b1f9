"""The sales order and its rules, free of Flask and SQL: pricing, totals and the status machine.

Prices come from the catalogue replica, never from the client. The `Order` aggregate owns its
status: every move goes through it, is written to its history and records the event it
causes, which the unit of work sends on commit. A move the machine does not allow is refused
when a person asks for it and ignored when an event asks for it, so a stale or repeated event
cannot undo a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from erp_shared.errors import Invalid, refuse_unknown_skus
from erp_shared.events import quantities_by_sku
from erp_shared.money import money

CHANNELS = ("web", "phone", "email", "store", "marketplace", "api")

TRANSITIONS = {
    "pending": {"confirmed", "rejected", "cancelled"},
    "confirmed": {"shipped", "cancelled"},
    "shipped": {"delivered"},
    "delivered": set(),
    "rejected": set(),
    "cancelled": set(),
}
STATUSES = tuple(TRANSITIONS)


class Priced(Protocol):
    """What pricing needs of a catalogue entry."""

    unit_price: Decimal
    currency: str


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return money(self.unit_price * self.quantity)


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: datetime
    reason: str | None = None


def price_lines(requested: list[dict], catalogue: dict[str, Priced]) -> tuple[list[OrderLine], str]:
    """One priced line per SKU (lines naming the same SKU are merged), in the order named,
    and the one currency they are priced in."""
    refuse_unknown_skus(
        requested, catalogue, "The order names products that are not in the catalogue."
    )
    currencies = {catalogue[line["sku"]].currency for line in requested}
    if len(currencies) > 1:
        raise Invalid(
            "An order is priced in one currency.",
            {"lines": [f"Products are priced in {', '.join(sorted(currencies))}."]},
        )
    lines = [
        OrderLine(sku, quantity, catalogue[sku].unit_price)
        for sku, quantity in quantities_by_sku(requested).items()
    ]
    return lines, currencies.pop()


def order_number(year: int, sequence: int) -> str:
    return f"SO-{year}-{sequence:06d}"


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


@dataclass
class Order:
    id: str
    number: str
    customer_id: str
    channel: str
    lines: list[OrderLine]
    tax: Decimal
    currency: str
    placed_by: str
    created_at: datetime
    status: str = "pending"
    updated_at: datetime | None = None
    campaign_code: str | None = None
    shipping_address: dict | None = None
    note: str | None = None
    rejection_reason: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.line_total for line in self.lines), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return money(self.subtotal + self.tax)

    @classmethod
    def place(
        cls,
        *,
        id: str,
        number: str,
        customer_id: str,
        channel: str,
        lines: list[OrderLine],
        currency: str,
        tax_rate: Decimal,
        placed_by: str,
        at: datetime,
        campaign_code: str | None = None,
        shipping_address: dict | None = None,
        note: str | None = None,
    ) -> Order:
        """A new pending order, waiting for inventory to reserve its lines."""
        order = cls(
            id=id,
            number=number,
            customer_id=customer_id,
            channel=channel,
            lines=lines,
            tax=Decimal("0"),
            currency=currency,
            placed_by=placed_by,
            created_at=at,
            updated_at=at,
            campaign_code=campaign_code,
            shipping_address=shipping_address,
            note=note,
            history=[StatusChange("pending", at)],
        )
        order.tax = money(order.subtotal * tax_rate)
        order.pending_events.append(("order.placed", order._placed_event()))
        return order

    def _placed_event(self) -> dict:
        return {
            "order_id": self.id,
            "number": self.number,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "campaign_code": self.campaign_code,
            "lines": [
                {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price}
                for line in self.lines
            ],
            "subtotal": self.subtotal,
            "total": self.total,
            "currency": self.currency,
        }

    def confirm(self, at: datetime) -> None:
        """Inventory reserved every line. Ignored unless the order still waits for that."""
        self._settle("confirmed", at)

    def reject(self, reason: str, at: datetime) -> None:
        """Inventory could not reserve the lines. Ignored unless the order still waits."""
        if self._settle("rejected", at, reason):
            self.rejection_reason = reason

    def _settle(self, status: str, at: datetime, reason: str | None = None) -> bool:
        """An answer from another service: one the machine does not allow is stale or
        repeated, and changes nothing."""
        if not can_move(self.status, status):
            return False
        self.status = status
        self.updated_at = at
        self.history.append(StatusChange(status, at, reason))
        self.pending_events.append((f"order.{status}", {"order_id": self.id, "reason": reason}))
        return True
