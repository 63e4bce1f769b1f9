"""The sales order and its rules, free of Flask and SQL: pricing, tax, credit and the status
machine.

Prices come from the catalogue replica, never from the client. Tax is a rate per product
category, computed per line and rounded half-even to cents, so an order's tax is the sum of
its lines' and subtotal + tax = total exactly. The `Order` aggregate owns its status: every
move goes through its one `_move`, is written to its history (with who and why) and records
the event it causes. A move the machine does not allow is refused when a person asks for it
(409) and ignored when an event asks for it, so a stale or repeated event cannot undo a
decision. The order also keeps what changed since it was loaded or last saved (its new history
entries, whether its lines' counts moved), so saving it writes just that, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from erp_shared.errors import (
    Forbidden,
    Invalid,
    NotAllowed,
    refuse_overvalued_lines,
    refuse_unknown_skus,
)
from erp_shared.events import quantities_by_sku
from erp_shared.money import money
from orders.channels import SELF_SERVICE_CHANNEL
from orders.pricing import TaxedLines, TaxRates, tax_on

TRANSITIONS = {
    "pending": {"confirmed", "rejected", "cancelled"},
    "confirmed": {"partially_shipped", "shipped", "cancelled"},
    "partially_shipped": {"partially_shipped", "shipped"},
    "shipped": {"delivered"},
    "delivered": set(),
    "rejected": set(),
    "cancelled": set(),
}
STATUSES = tuple(TRANSITIONS)
# Orders that still owe money or goods: what counts against a customer's credit limit.
OPEN_STATUSES = ("pending", "confirmed", "partially_shipped", "shipped", "delivered")
SHIPPED_STATUSES = ("partially_shipped", "shipped", "delivered")


class Priced(Protocol):
    """What pricing needs of a catalogue entry."""

    unit_price: Decimal
    currency: str
    category: str | None
    active: bool


@dataclass
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0")
    shipped: int = 0
    returned: int = 0

    @property
    def line_total(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax(self) -> Decimal:
        return tax_on(self.line_total, self.tax_rate)

    @property
    def to_ship(self) -> int:
        return self.quantity - self.shipped

    @property
    def returnable(self) -> int:
        return self.shipped - self.returned


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: datetime
    reason: str | None = None
    actor: str | None = None


def price_lines(
    requested: list[dict],
    catalogue: dict[str, Priced],
    taxes: TaxRates,
    free_of_charge: bool = False,
) -> tuple[list[OrderLine], str]:
    """One priced line per SKU (lines naming the same SKU are merged), in the order named,
    and the one currency they are priced in. A replacement for an exchange is free."""
    refuse_unknown_skus(
        requested, catalogue, "The order names products that are not in the catalogue."
    )
    discontinued = {
        str(index): {"sku": [f"{line['sku']} is discontinued."]}
        for index, line in enumerate(requested)
        if not catalogue[line["sku"]].active
    }
    if discontinued:
        raise Invalid("The order names discontinued products.", {"lines": discontinued})
    currencies = {catalogue[line["sku"]].currency for line in requested}
    if len(currencies) > 1:
        raise Invalid(
            "An order is priced in one currency.",
            {"lines": [f"Products are priced in {', '.join(sorted(currencies))}."]},
        )
    refuse_overvalued_lines(
        requested, lambda line: Decimal(0) if free_of_charge else catalogue[line["sku"]].unit_price
    )
    lines = []
    for sku, quantity in quantities_by_sku(requested).items():
        entry = catalogue[sku]
        price = Decimal("0") if free_of_charge else entry.unit_price
        rate = Decimal("0") if free_of_charge else taxes.rate_for(entry.category)
        lines.append(OrderLine(sku, quantity, price, rate))
    return lines, currencies.pop()


def refuse_staff_channel(channel: str) -> None:
    """A customer placing its own order does so on the web: the other channels are staff's
    (and the figures by channel must not count a customer's order as a phone sale)."""
    if channel != SELF_SERVICE_CHANNEL:
        raise Forbidden(
            f"A customer orders on the {SELF_SERVICE_CHANNEL} channel.",
            {"channel": [f"Only {SELF_SERVICE_CHANNEL} for a customer."]},
        )


def credit_refusal(limit: Decimal | None, open_amount: Decimal, total: Decimal) -> str | None:
    """Why an order does not fit the customer's credit, or None when it does."""
    if limit is None or open_amount + total <= limit:
        return None
    return (
        f"credit limit exceeded: {money(open_amount)} open + {money(total)} this order > "
        f"{money(limit)} allowed"
    )


def order_number(year: int, sequence: int) -> str:
    return f"SO-{year}-{sequence:06d}"


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


@dataclass
class Order(TaxedLines):
    id: str
    number: str
    customer_id: str
    channel: str
    lines: list[OrderLine]
    currency: str
    placed_by: str
    created_at: datetime
    status: str = "pending"
    updated_at: datetime | None = None
    campaign_code: str | None = None
    shipping_address: dict | None = None
    note: str | None = None
    rejection_reason: str | None = None
    rejected_for: str | None = None
    approved_by: str | None = None
    external_ref: str | None = None
    replaces_return_id: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    new_history: list[StatusChange] = field(default_factory=list, repr=False)
    lines_changed: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    def line(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    @classmethod
    def place(
        cls,
        *,
        at: datetime,
        credit_limit: Decimal | None = None,
        open_amount: Decimal = Decimal("0"),
        **details,
    ) -> Order:
        """A new order: pending until inventory reserves its lines, or rejected at once when it
        does not fit the customer's credit (a user may approve it later)."""
        order = cls(**details, created_at=at, updated_at=at)
        credit_refused = credit_refusal(credit_limit, open_amount, order.total)
        # Refused orders are never announced: they did not go out, and an approval sends one
        # as new.
        placed = False if credit_refused else order._placed_event()
        order._move("pending", at, None, order.placed_by, announce=placed)
        if credit_refused:
            order.rejection_reason, order.rejected_for = credit_refused, "credit"
            order._move("rejected", at, credit_refused, order.placed_by, announce=False)
        return order

    @property
    def changed(self) -> bool:
        """Whether anything changed since the order was loaded or last saved."""
        return bool(self.new_history) or self.lines_changed

    def saved(self) -> None:
        """Its changes are written: the next save writes only what changes after now."""
        self.new_history.clear()
        self.lines_changed = False

    def _placed_event(self) -> tuple[str, dict]:
        return "order.placed", self._facts()

    def _settled_event(self, status: str, reason: str | None) -> tuple[str, dict]:
        """order.<status> for a decision or a cancellation, carrying the order's facts and
        when it was (last) placed, so CRM and analytics need not take order.placed too."""
        placed_at = next(c.at for c in reversed(self.history) if c.status == "pending")
        return f"order.{status}", {
            "order_id": self.id,
            "reason": reason,
            **self._facts(),
            "placed_at": placed_at,
        }

    def _facts(self) -> dict:
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
            "replaces_return_id": self.replaces_return_id,
        }

    def _move(
        self,
        status: str,
        at: datetime,
        reason: str | None,
        actor: str | None,
        *,
        announce: tuple[str, dict] | bool = True,
    ) -> None:
        """The one path of every status change: the status, its history entry (who, when,
        why) and the event it causes: `order.<status>`, the event `announce` names instead, or
        none when it is False."""
        change = StatusChange(status, at, reason, actor)
        self.status, self.updated_at = status, at
        self.history.append(change)
        self.new_history.append(change)
        if announce is True:
            announce = (f"order.{status}", {"order_id": self.id, "reason": reason})
        if announce:
            self.pending_events.append(announce)

    def _refuse_unless(self, target: str, what: str) -> None:
        if not can_move(self.status, target):
            raise NotAllowed(f"A {self.status} order cannot be {what}.")

    # --- answers from inventory: ignored when stale or repeated ---------------------------

    def confirm(self, at: datetime, actor: str | None = None) -> None:
        if self.status == "pending":
            self._settle("confirmed", at, None, actor)

    def reject(self, reason: str, at: datetime, actor: str | None = None) -> None:
        if self.status == "pending":
            self.rejection_reason, self.rejected_for = reason, "stock"
            self._settle("rejected", at, reason, actor)

    def expire(self, at: datetime, actor: str | None = None) -> None:
        """Inventory let the hold go: an order still pending cannot be confirmed any more."""
        if self.status == "pending":
            self._settle("cancelled", at, "stock hold expired", actor)

    def _settle(self, status: str, at: datetime, reason: str | None, actor: str | None) -> None:
        self._move(status, at, reason, actor, announce=self._settled_event(status, reason))

    # --- what people ask: refused when not allowed ----------------------------------------

    def approve(self, at: datetime, actor: str) -> None:
        """An admin lets an order over the limit through;
        it then goes to inventory like any new order."""
        if self.status != "rejected" or self.rejected_for != "credit":
            raise NotAllowed("Only an order rejected for its credit limit can be approved.")
        self.approved_by, self.rejection_reason, self.rejected_for = actor, None, None
        self._move("pending", at, "credit override", actor, announce=self._placed_event())

    def cancel(self, at: datetime, actor: str, reason: str | None = None) -> None:
        self._refuse_unless("cancelled", "cancelled")
        self._settle("cancelled", at, reason, actor)

    def ship(self, quantities: dict[str, int] | None, at: datetime, actor: str) -> list[OrderLine]:
        """Ship what is asked (everything still to ship when None); the lines shipped now."""
        self._refuse_unless("shipped", "shipped")
        wanted = quantities or {line.sku: line.to_ship for line in self.lines if line.to_ship}
        problems = {
            sku: [f"{quantity} asked, {self.line(sku).to_ship if self.line(sku) else 0} to ship."]
            for sku, quantity in wanted.items()
            if quantity <= 0 or self.line(sku) is None or quantity > self.line(sku).to_ship
        }
        if problems:
            raise Invalid("The shipment does not match what the order has to ship.", problems)
        shipped = []
        for sku, quantity in wanted.items():
            line = self.line(sku)
            line.shipped += quantity
            shipped.append(OrderLine(sku, quantity, line.unit_price, line.tax_rate))
        self.lines_changed = True
        done = all(line.to_ship == 0 for line in self.lines)
        lines = [{"sku": line.sku, "quantity": line.quantity} for line in shipped]
        self._move(
            "shipped" if done else "partially_shipped",
            at,
            None,
            actor,
            announce=("order.shipped", {"order_id": self.id, "lines": lines}),
        )
        return shipped

    def deliver(self, at: datetime, actor: str) -> None:
        self._refuse_unless("delivered", "delivered")
        self._move("delivered", at, None, actor)

    def take_back(self, returned: dict[str, int]) -> None:
        """Goods of a return arrived: they can no longer be returned again."""
        for sku, quantity in returned.items():
            line = self.line(sku)
            if line is None or quantity > line.returnable:
                raise Invalid(
                    f"More {sku} returned than shipped.", {"lines": [f"{sku}: too many."]}
                )
            line.returned += quantity
        self.lines_changed = True
