"""Stock rules, free of Flask and SQL.

A reservation takes every line of an order or none: a half-reserved order would hold stock
that no customer can receive. Each line is taken from one warehouse, the one with the most
available, so a picker never has to split a line between sites. The decision is made once per
order (`Reservation`), and announces itself either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

DEFAULT_WAREHOUSE = "MAIN"


@dataclass(frozen=True)
class StockLevel:
    warehouse: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class StockLot:
    """What remains of one receipt line, at the cost it came in at (a FIFO cost layer)."""

    lot: str
    warehouse: str
    received_at: datetime
    quantity: int
    unit_cost: Decimal


@dataclass(frozen=True)
class Stock:
    """A SKU's stock across warehouses, and its lots oldest first."""

    sku: str
    warehouses: list[StockLevel]
    lots: list[StockLot]

    @property
    def on_hand(self) -> int:
        return sum(level.on_hand for level in self.warehouses)

    @property
    def reserved(self) -> int:
        return sum(level.reserved for level in self.warehouses)

    @property
    def available(self) -> int:
        return sum(level.available for level in self.warehouses)


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


def plan_reservation(
    requested: dict[str, int], available: dict[str, dict[str, int]]
) -> tuple[list[Allocation], list[Shortage]]:
    """Allocate each SKU from a single warehouse; any shortage rejects the whole order."""
    allocations, shortages = [], []
    for sku in sorted(requested):
        quantity = requested[sku]
        by_warehouse = available.get(sku, {})
        best = max(
            by_warehouse.items(),
            key=lambda item: (item[1], item[0] == DEFAULT_WAREHOUSE),
            default=None,
        )
        if best is not None and best[1] >= quantity:
            allocations.append(Allocation(sku, best[0], quantity))
        else:
            shortages.append(Shortage(sku, quantity, sum(by_warehouse.values())))
    return (allocations, []) if not shortages else ([], shortages)


def shortage_reason(shortages: list[Shortage]) -> str:
    parts = [f"{s.sku}: requested {s.requested}, available {s.available}" for s in shortages]
    return "insufficient stock (" + "; ".join(parts) + ")"


@dataclass
class Reservation:
    """Inventory's one answer to an order: every line reserved, or the order rejected."""

    order_id: str
    allocations: list[Allocation]
    shortages: list[Shortage]
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @property
    def outcome(self) -> str:
        return "rejected" if self.shortages else "reserved"

    @property
    def reason(self) -> str | None:
        return shortage_reason(self.shortages) if self.shortages else None

    @classmethod
    def decide(
        cls, order_id: str, requested: dict[str, int], available: dict[str, dict[str, int]]
    ) -> Reservation:
        allocations, shortages = plan_reservation(requested, available)
        reservation = cls(order_id, allocations, shortages)
        if shortages:
            reservation.pending_events.append(
                (
                    "stock.reservation_rejected",
                    {
                        "order_id": order_id,
                        "reason": reservation.reason,
                        "lines": [
                            {"sku": s.sku, "requested": s.requested, "available": s.available}
                            for s in shortages
                        ],
                    },
                )
            )
        else:
            reservation.pending_events.append(
                (
                    "stock.reserved",
                    {
                        "order_id": order_id,
                        "lines": [
                            {"sku": a.sku, "quantity": a.quantity, "warehouse": a.warehouse}
                            for a in allocations
                        ],
                    },
                )
            )
        return reservation
