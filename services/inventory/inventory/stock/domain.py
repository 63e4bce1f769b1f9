"""Stock rules, free of Flask and SQL: what a warehouse holds, and how goods leave it.

Stock is a ledger of movements; what remains of each receipt is a lot (a FIFO cost layer) and
goods leave oldest lot first, by the date they were received (a backdated receipt slots in by
that date), so the cost of goods sold is the cost of the oldest goods on hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from erp_shared.errors import Insufficient, Invalid
from erp_shared.money import money

DEFAULT_WAREHOUSE = "MAIN"
MOVEMENT_KINDS = ("receipt", "issue", "adjustment", "return", "transfer")


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

    id: int
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
class Take:
    """Part of a lot that leaves: how much, and at the lot's cost."""

    lot_id: int
    quantity: int
    unit_cost: Decimal
    received_at: datetime
    lot: str

    @property
    def cost(self) -> Decimal:
        return self.unit_cost * self.quantity


def take_oldest_first(lots: list[StockLot], quantity: int, sku: str) -> list[Take]:
    """The lots `quantity` units leave from: oldest received first, then oldest recorded."""
    takes, wanted = [], quantity
    for lot in sorted(lots, key=lambda lot: (lot.received_at, lot.id)):
        if wanted == 0:
            break
        taken = min(lot.quantity, wanted)
        if taken:
            takes.append(Take(lot.id, taken, lot.unit_cost, lot.received_at, lot.lot))
            wanted -= taken
    if wanted:
        raise Insufficient(
            f"Only {quantity - wanted} of {sku} are in the lots; {quantity} were to leave.",
            {"quantity": [f"At most {quantity - wanted}."]},
        )
    return takes


def cost_of(takes: list[Take]) -> Decimal:
    return money(sum((take.cost for take in takes), Decimal("0")))


def check_adjustment(level: StockLevel, delta: int) -> None:
    """A count may lower stock, but never below zero nor below what orders hold."""
    after = level.on_hand + delta
    if delta == 0:
        raise Invalid("An adjustment changes the quantity.", {"quantity_delta": ["Not zero."]})
    if after < 0 or after < level.reserved:
        raise Insufficient(
            f"On hand would be {after}, below the {level.reserved} reserved for orders"
            if after >= 0
            else f"On hand would be {after}, below zero",
            {"quantity_delta": [f"At least {level.reserved - level.on_hand}."]},
        )


def check_transfer(source: str, destination: str, level: StockLevel, quantity: int) -> None:
    """Only stock no order holds may move to another warehouse."""
    if source == destination:
        raise Invalid(
            "A transfer goes to another warehouse.", {"to_warehouse": ["Same as from_warehouse."]}
        )
    if quantity > level.available:
        raise Insufficient(
            f"{level.available} available in {source}; {quantity} asked to move.",
            {"quantity": [f"At most {level.available}."]},
        )
