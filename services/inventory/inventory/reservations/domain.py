"""Reservation rules, free of Flask and SQL: an order's hold on stock, from placement to
shipment.

All or nothing: a reservation takes every line of an order or none, since a half-reserved order
holds stock that no customer can receive. Where a line comes from (the split rule):
- one warehouse that can supply the whole line, the one with most available (ties: MAIN, then
  by code), so a picker does not split a line between sites when it can be helped;
- otherwise the line is split over warehouses, most available first (same ties), until covered.

A hold lives `held` while the order is pending, becomes `confirmed` when the order is, and ends
`released` (order cancelled or rejected), `expired` (the order never confirmed within the hold
time) or `shipped` (every unit left). What is not shipped of a partial shipment stays held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter, itemgetter

from erp_shared.errors import Insufficient
from erp_shared.money import money
from inventory.drawdown import draw_down

MAIN = "MAIN"
OPEN = ("held", "confirmed")


@dataclass(frozen=True)
class Allocation:
    sku: str
    warehouse: str
    quantity: int


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int
    available: int


def _preference(item: tuple[str, int]) -> tuple:
    warehouse, available = item
    return (-available, warehouse != MAIN, warehouse)


def allocate_line(sku: str, quantity: int, available: dict[str, int]) -> list[Allocation]:
    """Where one line comes from, by the split rule; empty if all warehouses hold too little."""
    ranked = sorted(((w, a) for w, a in available.items() if a > 0), key=_preference)
    if not ranked or sum(a for _, a in ranked) < quantity:
        return []
    if ranked[0][1] >= quantity:
        return [Allocation(sku, ranked[0][0], quantity)]
    drawn = draw_down(ranked, quantity, itemgetter(1))
    return [Allocation(sku, warehouse, units) for (warehouse, _), units in drawn.taken]


def plan_reservation(
    requested: dict[str, int], available: dict[str, dict[str, int]]
) -> tuple[list[Allocation], list[Shortage]]:
    """Allocate every SKU by the split rule; any shortage rejects the whole order."""
    allocations, shortages = [], []
    for sku in sorted(requested):
        by_warehouse = available.get(sku, {})
        taken = allocate_line(sku, requested[sku], by_warehouse)
        if taken:
            allocations.extend(taken)
        else:
            shortages.append(Shortage(sku, requested[sku], max(0, sum(by_warehouse.values()))))
    return (allocations, []) if not shortages else ([], shortages)


def shortage_reason(shortages: list[Shortage]) -> str:
    parts = [f"{s.sku}: requested {s.requested}, available {s.available}" for s in shortages]
    return "insufficient stock (" + "; ".join(parts) + ")"


@dataclass
class HeldLine:
    sku: str
    warehouse: str
    quantity: int
    shipped: int = 0
    status: str = "held"
    id: int | None = None
    changed_at: datetime | None = field(default=None, compare=False, repr=False)

    @property
    def open(self) -> int:
        """Units still held for the order."""
        return self.quantity - self.shipped if self.status in OPEN else 0

    def change(self, at: datetime, *, status: str | None = None, shipped: int = 0) -> None:
        """Change the line, noting when (what is saved; None again once it is)."""
        self.status = status or self.status
        self.shipped += shipped
        if self.shipped == self.quantity:
            self.status = "shipped"
        self.changed_at = at


@dataclass
class Reservation:
    """Inventory's hold on stock for one order, and the answers it gives about it."""

    order_id: str
    outcome: str
    lines: list[HeldLine]
    reason: str | None = None
    decided_at: datetime | None = None
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def decide(
        cls,
        order_id: str,
        requested: dict[str, int],
        available: dict[str, dict[str, int]],
        at: datetime,
    ) -> Reservation:
        """Hold every line or none, and announce which it was."""
        allocations, shortages = plan_reservation(requested, available)
        if shortages:
            reason = shortage_reason(shortages)
            reservation = cls(order_id, "rejected", [], reason, at)
            lines = [
                {"sku": s.sku, "requested": s.requested, "available": s.available}
                for s in shortages
            ]
            reservation.pending_events.append(
                (
                    "stock.reservation_rejected",
                    {"order_id": order_id, "reason": reason, "lines": lines},
                )
            )
            return reservation
        held = [HeldLine(a.sku, a.warehouse, a.quantity) for a in allocations]
        reservation = cls(order_id, "reserved", held, decided_at=at)
        reserved = [{"sku": a.sku, "quantity": a.quantity, "warehouse": a.warehouse} for a in held]
        reservation.pending_events.append(
            ("stock.reserved", {"order_id": order_id, "lines": reserved})
        )
        return reservation

    @property
    def open_lines(self) -> list[HeldLine]:
        return [line for line in self.lines if line.open]

    def confirm(self, at: datetime) -> None:
        """The order is confirmed: its hold no longer expires."""
        for line in self.lines:
            if line.status == "held":
                line.change(at, status="confirmed")

    def release(self, why: str, at: datetime) -> list[tuple[HeldLine, int]]:
        """Give back every unit still held (`why`: released or expired); what each line gave."""
        given = [(line, line.open) for line in self.open_lines]
        for line, _ in given:
            line.change(at, status=why)
        if given:
            self.pending_events.append(
                ("stock.released", {"order_id": self.order_id, "reason": why})
            )
        return given

    def expire_if_unconfirmed(self, at: datetime) -> list[tuple[HeldLine, int]]:
        if any(line.status == "held" for line in self.lines):
            return self.release("expired", at)
        return []

    def ship(
        self,
        shipment: dict[str, int],
        issue: Callable[[HeldLine, int], Decimal],
        at: datetime,
    ) -> None:
        """Units of each SKU leave from the lines holding them, in line order: `issue` takes
        them off the shelf and says what they cost, and stock.issued tells what left at what
        cost. What a partial shipment leaves stays held."""
        issued = []
        for sku, quantity in shipment.items():
            lines = [line for line in self.open_lines if line.sku == sku]
            drawn = draw_down(lines, quantity, attrgetter("open"))
            if not drawn.covered:
                raise Insufficient(
                    f"Order {self.order_id} holds {quantity - drawn.missing} of {sku}; "
                    f"{quantity} cannot ship.",
                    {"lines": [f"{sku}: more shipped than reserved."]},
                )
            cost = Decimal(0)
            for line, units in drawn.taken:
                line.change(at, shipped=units)
                cost += issue(line, units)
            issued.append({"sku": sku, "quantity": quantity, "cost": money(cost)})
        self.pending_events.append(("stock.issued", {"order_id": self.order_id, "lines": issued}))
