"""Stock rules, free of Flask and SQL: what a warehouse holds, and how goods come and leave.

A SKU's stock in one warehouse is the aggregate (`WarehouseStock`): its level (on hand, and of
that what orders hold) and its lots. Every change goes through one of its methods, which keeps
the level whole (reserved within on hand, neither below zero) and writes the ledger movement
beside it, so no use case can move stock without the ledger, or forget a lot.

What remains of each receipt is a lot (a FIFO cost layer) and goods leave oldest lot first, by
the date they were received (a backdated receipt slots in by that date), so the cost of goods
sold is the cost of the oldest goods on hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from erp_shared.errors import MAX_LINE_VALUE, Insufficient, Invalid, NotAllowed
from erp_shared.money import money
from inventory.drawdown import draw_down

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
    """What remains of one lot, as the stock view shows it."""

    id: int
    lot: str
    warehouse: str
    received_at: datetime
    quantity: int
    unit_cost: Decimal


@dataclass(frozen=True)
class Stock:
    """A SKU's stock across warehouses, and its lots oldest first (what is where, read only)."""

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
class Clerk:
    """Who moves stock in this transaction, the request it came from and when: every ledger
    row it writes carries them, for the audit trail."""

    actor: str | None
    request_id: str | None
    now: datetime


@dataclass(eq=False)
class Lot:
    """What remains of one receipt, return, count or transfer in a warehouse, at the cost it
    came in at. `id` is None until it is stored."""

    lot: str
    received_at: datetime
    quantity: int
    unit_cost: Decimal
    id: int | None = None

    def fifo_position(self) -> tuple:
        """Oldest received first, then oldest recorded (a lot not yet stored is the newest)."""
        return (self.received_at, self.id is None, self.id or 0)


@dataclass(frozen=True)
class Take:
    """Part of a lot that leaves: how much, at the lot's cost."""

    lot: Lot
    quantity: int

    @property
    def cost(self) -> Decimal:
        return self.lot.unit_cost * self.quantity


def cost_of(takes: list[Take]) -> Decimal:
    return money(sum((take.cost for take in takes), Decimal("0")))


# What a WarehouseStock changed, in the order it changed it, for its repository to write.


@dataclass(frozen=True)
class LevelChanged:
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class LotAdded:
    lot: Lot
    received: int
    receipt_id: str | None


@dataclass(frozen=True)
class LotTaken:
    lot: Lot
    quantity: int


@dataclass(frozen=True)
class LotIssued:
    """What an order took of a lot, so a return can come back at the cost it left with."""

    order_id: str
    lot: Lot
    quantity: int


@dataclass(frozen=True)
class Moved:
    """A row of the stock ledger."""

    kind: str
    quantity: int
    value: Decimal
    occurred_at: datetime
    cogs: Decimal = Decimal("0")
    references: dict = field(default_factory=dict)


@dataclass(eq=False)
class WarehouseStock:
    """A SKU's stock in one warehouse, and its lots: the aggregate every stock change goes
    through. `lots` is None when it was loaded without them (goods coming in or held need no
    lots). It announces nothing itself: its changes are the ledger rows it writes; the
    stock.low they may cause is the ReorderWatch's to say."""

    sku: str
    warehouse: str
    clerk: Clerk
    on_hand: int = 0
    reserved: int = 0
    lots: list[Lot] | None = field(default_factory=list)
    changes: list = field(default_factory=list, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def level(self) -> StockLevel:
        return StockLevel(self.warehouse, self.on_hand, self.reserved)

    # --- goods in ------------------------------------------------------------------------

    def receive(
        self,
        quantity: int,
        unit_cost: Decimal,
        *,
        lot: str,
        receipt_id: str,
        received_at: datetime | None = None,
        reason: str | None = None,
    ) -> None:
        """A receipt line becomes a lot, dated when it was received (perhaps backdated)."""
        at = received_at or self.clerk.now
        self._add_lot(lot, at, quantity, unit_cost, receipt_id)
        value = money(unit_cost * quantity)
        self._move(
            "receipt",
            quantity,
            value,
            occurred_at=at,
            unit_cost=unit_cost,
            reference=receipt_id,
            reason=reason,
        )

    def restock(self, quantity: int, unit_cost: Decimal, *, return_id: str, order_id: str):
        """Returned goods go back on the shelf as a lot at the cost they left with."""
        self._add_lot(f"R-{return_id[:8]}", self.clerk.now, quantity, unit_cost)
        value = money(unit_cost * quantity)
        self._move(
            "return", quantity, value, unit_cost=unit_cost, order_id=order_id, return_id=return_id
        )

    # --- holds ---------------------------------------------------------------------------

    def hold(self, quantity: int) -> None:
        """Set stock aside for an order; never more than is available (no overselling)."""
        if quantity > self.available:
            raise Insufficient(
                f"{self.available} of {self.sku} available in {self.warehouse}; "
                f"{quantity} cannot be held."
            )
        self._change_level(reserved=quantity)

    def release(self, quantity: int) -> None:
        if quantity > self.reserved:
            raise RuntimeError(
                f"{self.sku} in {self.warehouse} holds less than the {quantity} released"
            )
        self._change_level(reserved=-quantity)

    # --- goods out -----------------------------------------------------------------------

    def issue(self, order_id: str, quantity: int) -> Decimal:
        """Reserved goods leave for a customer, oldest lots first; their cost."""
        if quantity > self.reserved:
            raise Insufficient(f"{quantity} of {self.sku} are not reserved in {self.warehouse}.")
        takes = self._take_oldest_first(quantity)
        self._change_level(reserved=-quantity)
        self.changes.extend(LotIssued(order_id, take.lot, take.quantity) for take in takes)
        cost = cost_of(takes)
        self._move("issue", -quantity, -cost, cogs=cost, order_id=order_id)
        return cost

    # --- counts and transfers ------------------------------------------------------------

    def count(self, counted: int, unit_cost: Decimal | None, *, reason: str, reference: str):
        """The shelf was counted: the books take the difference, as adjust does. A count that
        matches the books is said so, and changes nothing."""
        if counted == self.on_hand:
            raise Invalid(
                f"The count matches the books: {counted} on hand. Nothing to adjust.",
                {"counted": [f"{counted} is what the books hold."]},
            )
        if counted < self.reserved:
            raise Insufficient(
                f"{self.reserved} units are reserved for orders: the shelf cannot hold fewer",
                {"counted": [f"At least {self.reserved}, or release orders first."]},
            )
        self.adjust(counted - self.on_hand, unit_cost, reason=reason, reference=reference)

    def adjust(self, delta: int, unit_cost: Decimal | None, *, reason: str, reference: str):
        """A count that differs from the books: more is a lot at `unit_cost`, less leaves
        oldest first. Never below zero nor below what orders hold."""
        after = self.on_hand + delta
        if delta == 0:
            raise Invalid("An adjustment changes the quantity.", {"quantity_delta": ["Not zero."]})
        if after < 0 or after < self.reserved:
            raise Insufficient(
                f"On hand would be {after}, below the {self.reserved} reserved for orders"
                if after >= 0
                else f"On hand would be {after}, below zero",
                {"quantity_delta": [f"At least {self.reserved - self.on_hand}."]},
            )
        if delta > 0:
            if unit_cost * delta > MAX_LINE_VALUE:
                raise Invalid(
                    "An adjustment is worth more than the system keeps.",
                    {"quantity_delta": [f"Worth at most {MAX_LINE_VALUE:,}."]},
                )
            self._add_lot(f"ADJ-{self.clerk.now:%Y%m%d}", self.clerk.now, delta, unit_cost)
            value = money(unit_cost * delta)
        else:
            value = -cost_of(self._take_oldest_first(-delta))
        self._move("adjustment", delta, value, reason=reason, reference=reference)

    def send(self, quantity: int, to: str, *, reference: str, reason: str | None) -> list[Take]:
        """Goods no order holds leave for another warehouse, oldest lots first; the lots they
        left, for the destination to take in at the same cost and age."""
        if to == self.warehouse:
            raise Invalid(
                "A transfer goes to another warehouse.",
                {"to_warehouse": ["Same as from_warehouse."]},
            )
        if quantity > self.available:
            raise Insufficient(
                f"{self.available} available in {self.warehouse}; {quantity} asked to move.",
                {"quantity": [f"At most {self.available}."]},
            )
        takes = self._take_oldest_first(quantity)
        value = cost_of(takes)
        self._move("transfer", -quantity, -value, reference=reference, reason=reason)
        return takes

    def take_in(self, takes: list[Take], *, reference: str, reason: str | None) -> None:
        """Goods sent from another warehouse arrive as the lots they left, so FIFO order is
        the same here."""
        for take in takes:
            self._add_lot(take.lot.lot, take.lot.received_at, take.quantity, take.lot.unit_cost)
        quantity = sum(take.quantity for take in takes)
        self._move("transfer", quantity, cost_of(takes), reference=reference, reason=reason)

    # --- what every change keeps: on hand is what the lots hold, and the ledger says so --

    def _take_oldest_first(self, quantity: int) -> list[Take]:
        if self.lots is None:
            raise RuntimeError(f"the lots of {self.sku} in {self.warehouse} were not loaded")
        oldest_first = sorted(self.lots, key=Lot.fifo_position)
        drawn = draw_down(oldest_first, quantity, attrgetter("quantity"))
        if not drawn.covered:
            there = quantity - drawn.missing
            raise Insufficient(
                f"Only {there} of {self.sku} are in the lots; {quantity} were to leave.",
                {"quantity": [f"At most {there}."]},
            )
        for lot, units in drawn.taken:
            lot.quantity -= units
            self.changes.append(LotTaken(lot, units))
        self._change_level(on_hand=-quantity)
        return [Take(lot, units) for lot, units in drawn.taken]

    def _add_lot(
        self, name: str, at: datetime, quantity: int, cost: Decimal, receipt_id: str | None = None
    ) -> None:
        lot = Lot(name, at, quantity, cost)
        if self.lots is not None:
            self.lots.append(lot)
        self.changes.append(LotAdded(lot, quantity, receipt_id))
        self._change_level(on_hand=quantity)

    def _change_level(self, on_hand: int = 0, reserved: int = 0) -> None:
        self.on_hand += on_hand
        self.reserved += reserved
        self.changes.append(LevelChanged(on_hand, reserved))

    def _move(self, kind, quantity, value, *, occurred_at=None, cogs=Decimal("0"), **refs):
        at = occurred_at or self.clerk.now
        self.changes.append(Moved(kind, quantity, value, at, cogs, refs))


@dataclass(eq=False)
class IssuedPart:
    """What an order took of one lot and has not had back yet."""

    id: int
    sku: str
    warehouse: str
    unit_cost: Decimal
    outstanding: int


@dataclass(frozen=True)
class TakenBack:
    """Units of a part that came back, in what condition, for the ledger of returned goods."""

    part: IssuedPart
    quantity: int
    condition: str
    return_id: str
    at: datetime


@dataclass(eq=False)
class OrderIssues:
    """What an order took from the lots and has not had back, latest first, and the returns
    already taken back: the aggregate a return goes through."""

    order_id: str
    parts: list[IssuedPart]
    returns: set[str]
    changes: list[TakenBack] = field(default_factory=list, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    def take_back(
        self, return_id: str, lines: list[dict], at: datetime
    ) -> list[tuple[IssuedPart, int]]:
        """Returned goods come back from what the order took, the goods that left last
        first; the resellable ones, at the cost they left with, to go back on the shelf.
        A return already taken back changes nothing, so a replayed event is harmless."""
        if return_id in self.returns:
            return []
        resellable, restocked = [], []
        for line in lines:
            condition = line.get("condition") or "resellable"
            cost = Decimal(0)
            for part, units in self._parts_returned(line["sku"], line["quantity"], return_id):
                part.outstanding -= units
                self.changes.append(TakenBack(part, units, condition, return_id, at))
                if condition == "resellable":
                    resellable.append((part, units))
                    cost += part.unit_cost * units
            if condition == "resellable":
                restocked.append(
                    {"sku": line["sku"], "quantity": line["quantity"], "cost": money(cost)}
                )
        self.returns.add(return_id)
        self.pending_events.append(
            (
                "stock.restocked",
                {"return_id": return_id, "order_id": self.order_id, "lines": restocked},
            )
        )
        return resellable

    def _parts_returned(self, sku: str, quantity: int, return_id: str):
        parts = [part for part in self.parts if part.sku == sku]
        drawn = draw_down(parts, quantity, attrgetter("outstanding"))
        if not drawn.covered:
            raise NotAllowed(
                f"Return {return_id} sends back more {sku} than order {self.order_id} took.",
                {"lines": [f"{sku}: more returned than shipped."]},
            )
        return drawn.taken
