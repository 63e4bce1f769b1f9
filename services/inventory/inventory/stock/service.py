"""Stock use cases: goods in (receipts, returns), goods out (issues), counts, transfers, and
what is where. Each takes the caller's unit of work.

Every change of stock is a movement on the ledger, written with the stock-level change in the
same transaction, with who asked (`uow.actor`) and the request it came from; every change of
what is available is shown to replenishment, which says when a SKU runs low.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from erp_shared.errors import (
    MAX_LINE_VALUE,
    Insufficient,
    Invalid,
    NotAllowed,
    Unknown,
    refuse_overvalued_lines,
    refuse_unknown_skus,
)
from erp_shared.money import money
from erp_shared.uow import UnitOfWork
from inventory.catalogue import service as catalogue
from inventory.replenishment import service as replenishment
from inventory.stock import db
from inventory.stock.domain import (
    Stock,
    StockLevel,
    Take,
    check_adjustment,
    check_transfer,
    cost_of,
    take_oldest_first,
)

# --- warehouses ----------------------------------------------------------------------------


def create_warehouse(uow: UnitOfWork, warehouse: dict) -> dict:
    db.add_warehouse(uow.conn, warehouse["code"], warehouse["name"], uow.now)
    return {"code": warehouse["code"], "name": warehouse["name"], "created_at": uow.now}


def get_warehouse(uow: UnitOfWork, code: str) -> dict:
    warehouse = db.warehouse(uow.conn, code)
    if warehouse is None:
        raise Unknown(f"No warehouse {code}.")
    return warehouse


def list_warehouses(uow: UnitOfWork) -> list[dict]:
    return db.warehouse_list(uow.conn)


def _require_warehouses(uow: UnitOfWork, fields: dict[str, str]) -> None:
    """Refuse a request naming a warehouse that does not exist, by the field that names it."""
    known = db.known_warehouses(uow.conn, set(fields.values()))
    unknown = {
        name: [f"Unknown warehouse {code}."] for name, code in fields.items() if code not in known
    }
    if unknown:
        raise Invalid("The request names a warehouse that does not exist.", unknown)


def _require_product(uow: UnitOfWork, sku: str) -> None:
    if not catalogue.known_skus(uow, {sku}):
        raise Invalid(f"Unknown SKU {sku}.", {"sku": [f"Unknown SKU {sku}."]})


# --- the ledger ----------------------------------------------------------------------------


def _record(
    uow: UnitOfWork,
    sku: str,
    warehouse: str,
    kind: str,
    quantity: int,
    value: Decimal,
    *,
    occurred_at: datetime | None = None,
    cogs: Decimal = Decimal("0"),
    **references,
) -> None:
    """One ledger row, and the day's value change and cost of goods beside it."""
    at = occurred_at or uow.now
    db.record_movement(
        uow.conn,
        sku=sku,
        warehouse=warehouse,
        kind=kind,
        quantity=quantity,
        value=value,
        actor=uow.actor,
        request_id=uow.request_id,
        occurred_at=at,
        **references,
    )
    units = -quantity if kind == "issue" else 0
    db.add_to_day(uow.conn, sku, at.date(), value, cogs, units)


# --- goods in ------------------------------------------------------------------------------


def receive_stock(uow: UnitOfWork, receipt: dict) -> dict:
    """Each receipt line becomes a FIFO lot and a receipt movement on the ledger."""
    known = catalogue.known_skus(uow, {line["sku"] for line in receipt["lines"]})
    refuse_unknown_skus(
        receipt["lines"], known, "The receipt names products that are not in the catalogue."
    )
    refuse_overvalued_lines(receipt["lines"], lambda line: line["unit_cost"])
    warehouse = receipt["warehouse"]
    _require_warehouses(uow, {"warehouse": warehouse})
    received_at = receipt.get("received_at") or uow.now
    receipt_id = str(uuid.uuid4())
    db.insert_receipt(uow.conn, receipt_id, warehouse, received_at, uow.now)
    lines = []
    for index, line in enumerate(receipt["lines"], start=1):
        lot = line.get("lot") or f"{receipt_id[:8]}-{index}"
        db.add_lot(
            uow.conn,
            lot=lot,
            receipt_id=receipt_id,
            sku=line["sku"],
            warehouse=warehouse,
            received_at=received_at,
            quantity_received=line["quantity"],
            unit_cost=line["unit_cost"],
        )
        _record(
            uow,
            line["sku"],
            warehouse,
            "receipt",
            line["quantity"],
            money(line["unit_cost"] * line["quantity"]),
            occurred_at=received_at,
            unit_cost=line["unit_cost"],
            reference=receipt_id,
            reason=receipt.get("reason"),
        )
        level = db.add_on_hand(uow.conn, line["sku"], warehouse, line["quantity"])
        replenishment.watch(uow, line["sku"], warehouse, level.available)
        lines.append({**line, "lot": lot})
    return {"id": receipt_id, "warehouse": warehouse, "received_at": received_at, "lines": lines}


def get_receipt(uow: UnitOfWork, receipt_id: str) -> dict:
    receipt = db.receipt(uow.conn, receipt_id)
    if receipt is None:
        raise Unknown(f"No receipt {receipt_id}.")
    return receipt


def restock_return(uow: UnitOfWork, return_id: str, order_id: str, lines: list[dict]) -> None:
    """Resellable goods go back on the shelf they left, as lots at the cost they left with
    (the goods that left last come back first); damaged goods are recorded, not restocked."""
    if db.return_recorded(uow.conn, return_id):
        return
    restocked = []
    for line in lines:
        condition = line.get("condition") or "resellable"
        outstanding = db.issued_for_return(uow.conn, order_id, line["sku"])
        if sum(part.outstanding for part in outstanding) < line["quantity"]:
            raise NotAllowed(
                f"Return {return_id} sends back more {line['sku']} than order {order_id} took.",
                {"lines": [f"{line['sku']}: more returned than shipped."]},
            )
        wanted = line["quantity"]
        for part in outstanding:
            units = min(part.outstanding, wanted)
            if units == 0:
                break
            wanted -= units
            db.mark_returned(uow.conn, part.id, units)
            db.record_returned_goods(
                uow.conn,
                return_id=return_id,
                order_id=order_id,
                sku=line["sku"],
                warehouse=part.warehouse,
                quantity=units,
                condition=condition,
                unit_cost=part.unit_cost,
                received_at=uow.now,
            )
            if condition == "resellable":
                _put_back(uow, return_id, order_id, line["sku"], part, units)
        if condition == "resellable":
            restocked.append({"sku": line["sku"], "quantity": line["quantity"]})
    uow.emit("stock.restocked", {"return_id": return_id, "lines": restocked})


def _put_back(uow: UnitOfWork, return_id: str, order_id: str, sku: str, part, units: int):
    db.add_lot(
        uow.conn,
        lot=f"R-{return_id[:8]}",
        receipt_id=None,
        sku=sku,
        warehouse=part.warehouse,
        received_at=uow.now,
        quantity_received=units,
        unit_cost=part.unit_cost,
    )
    _record(
        uow,
        sku,
        part.warehouse,
        "return",
        units,
        money(part.unit_cost * units),
        unit_cost=part.unit_cost,
        order_id=order_id,
        return_id=return_id,
    )
    level = db.add_on_hand(uow.conn, sku, part.warehouse, units)
    replenishment.watch(uow, sku, part.warehouse, level.available)


# --- goods out -----------------------------------------------------------------------------


def _take_lots(uow: UnitOfWork, sku: str, warehouse: str, quantity: int) -> list[Take]:
    takes = take_oldest_first(db.lots_for_update(uow.conn, sku, warehouse), quantity, sku)
    for take in takes:
        db.take_from_lot(uow.conn, take.lot_id, take.quantity)
    return takes


def issue_stock(uow: UnitOfWork, order_id: str, sku: str, warehouse: str, quantity: int):
    """Reserved goods leave for a customer, oldest lots first; returns their cost."""
    if db.change_level(uow.conn, sku, warehouse, on_hand=-quantity, reserved=-quantity) is None:
        raise Insufficient(f"{quantity} of {sku} are not reserved in {warehouse}.")
    takes = _take_lots(uow, sku, warehouse, quantity)
    for take in takes:
        db.record_lot_issue(
            uow.conn,
            order_id=order_id,
            sku=sku,
            warehouse=warehouse,
            lot_id=take.lot_id,
            quantity=take.quantity,
            unit_cost=take.unit_cost,
            issued_at=uow.now,
        )
    cost = cost_of(takes)
    _record(uow, sku, warehouse, "issue", -quantity, -cost, cogs=cost, order_id=order_id)
    return cost


# --- counts and transfers ------------------------------------------------------------------


def adjust_stock(uow: UnitOfWork, adjustment: dict) -> dict:
    """A count that differs from the books: more creates a lot, less leaves oldest first."""
    sku, warehouse, delta = adjustment["sku"], adjustment["warehouse"], adjustment["quantity_delta"]
    _require_product(uow, sku)
    _require_warehouses(uow, {"warehouse": warehouse})
    check_adjustment(db.level_for_update(uow.conn, sku, warehouse), delta)
    adjustment_id = str(uuid.uuid4())
    if delta > 0:
        unit_cost = adjustment.get("unit_cost")
        if unit_cost is None:
            unit_cost = _latest_cost(uow, sku, warehouse)
        if unit_cost * delta > MAX_LINE_VALUE:
            raise Invalid(
                "An adjustment is worth more than the system keeps.",
                {"quantity_delta": [f"Worth at most {MAX_LINE_VALUE:,}."]},
            )
        db.add_lot(
            uow.conn,
            lot=f"ADJ-{uow.now:%Y%m%d}",
            receipt_id=None,
            sku=sku,
            warehouse=warehouse,
            received_at=uow.now,
            quantity_received=delta,
            unit_cost=unit_cost,
        )
        value = money(unit_cost * delta)
        level = db.add_on_hand(uow.conn, sku, warehouse, delta)
    else:
        value = -cost_of(_take_lots(uow, sku, warehouse, -delta))
        level = db.change_level(uow.conn, sku, warehouse, on_hand=delta)
    _record(
        uow,
        sku,
        warehouse,
        "adjustment",
        delta,
        value,
        reason=adjustment["reason"],
        reference=adjustment_id,
    )
    replenishment.watch(uow, sku, warehouse, level.available)
    return get_adjustment(uow, adjustment_id)


def get_adjustment(uow: UnitOfWork, adjustment_id: str) -> dict:
    """An adjustment as the ledger has it, beside the level as it is now."""
    moves = db.movements_by_reference(uow.conn, adjustment_id, "adjustment")
    if not moves:
        raise Unknown(f"No adjustment {adjustment_id}.")
    move = moves[0]
    now = [lvl for lvl in db.levels(uow.conn, move["sku"]) if lvl.warehouse == move["warehouse"]]
    return {
        "id": adjustment_id,
        "sku": move["sku"],
        "warehouse": move["warehouse"],
        "quantity_delta": move["quantity"],
        "value": move["value"],
        "reason": move["reason"],
        "at": move["occurred_at"],
        "level": _level_item(move["sku"], now[0]),
    }


def _latest_cost(uow: UnitOfWork, sku: str, warehouse: str) -> Decimal:
    """A counted surplus is valued at the newest lot's cost here, else anywhere, else zero."""
    lots = db.remaining_lots(uow.conn, sku)
    here = [lot for lot in lots if lot.warehouse == warehouse] or lots
    return max(here, key=lambda lot: (lot.received_at, lot.id)).unit_cost if here else Decimal(0)


def transfer_stock(uow: UnitOfWork, transfer: dict) -> dict:
    """Unreserved goods move between warehouses as two ledger moves; their lots keep their
    cost and age, so FIFO order is the same at the destination."""
    sku, quantity = transfer["sku"], transfer["quantity"]
    source, destination = transfer["from_warehouse"], transfer["to_warehouse"]
    _require_product(uow, sku)
    _require_warehouses(uow, {"from_warehouse": source, "to_warehouse": destination})
    check_transfer(source, destination, db.level_for_update(uow.conn, sku, source), quantity)
    transfer_id = str(uuid.uuid4())
    takes = _take_lots(uow, sku, source, quantity)
    for take in takes:
        db.add_lot(
            uow.conn,
            lot=take.lot,
            receipt_id=None,
            sku=sku,
            warehouse=destination,
            received_at=take.received_at,
            quantity_received=take.quantity,
            unit_cost=take.unit_cost,
        )
    value = cost_of(takes)
    reason = transfer.get("reason")
    _record(uow, sku, source, "transfer", -quantity, -value, reference=transfer_id, reason=reason)
    _record(
        uow, sku, destination, "transfer", quantity, value, reference=transfer_id, reason=reason
    )
    left = db.change_level(uow.conn, sku, source, on_hand=-quantity)
    arrived = db.add_on_hand(uow.conn, sku, destination, quantity)
    replenishment.watch(uow, sku, source, left.available)
    replenishment.watch(uow, sku, destination, arrived.available)
    return get_transfer(uow, transfer_id)


def get_transfer(uow: UnitOfWork, transfer_id: str) -> dict:
    moves = db.movements_by_reference(uow.conn, transfer_id, "transfer")
    if len(moves) != 2:
        raise Unknown(f"No transfer {transfer_id}.")
    out, into = sorted(moves, key=lambda move: move["quantity"])
    return {
        "id": transfer_id,
        "sku": out["sku"],
        "from_warehouse": out["warehouse"],
        "to_warehouse": into["warehouse"],
        "quantity": into["quantity"],
        "value": into["value"],
        "reason": into["reason"],
        "at": into["occurred_at"],
    }


# --- holds, for reservations ---------------------------------------------------------------


def lock_availability(uow: UnitOfWork, skus) -> dict[str, dict[str, int]]:
    return db.lock_availability(uow.conn, skus)


def hold(uow: UnitOfWork, sku: str, warehouse: str, quantity: int) -> None:
    """Set stock aside for an order; the conditional update is what prevents overselling."""
    level = db.change_level(uow.conn, sku, warehouse, reserved=quantity)
    if level is None:
        raise RuntimeError(f"stock for {sku} changed under a row lock")
    replenishment.watch(uow, sku, warehouse, level.available)


def release(uow: UnitOfWork, sku: str, warehouse: str, quantity: int) -> None:
    level = db.change_level(uow.conn, sku, warehouse, reserved=-quantity)
    if level is None:
        raise RuntimeError(f"{sku} in {warehouse} holds less than the {quantity} released")
    replenishment.watch(uow, sku, warehouse, level.available)


# --- what is where -------------------------------------------------------------------------


def stock_of(uow: UnitOfWork, sku: str) -> Stock:
    if not catalogue.known_skus(uow, {sku}):
        raise Unknown(f"No product with SKU {sku}.")
    return Stock(sku, db.levels(uow.conn, sku), db.remaining_lots(uow.conn, sku))


def stock_list(
    uow: UnitOfWork, warehouse: str | None, below_reorder: bool, offset: int, limit: int
) -> tuple[list[dict], int]:
    skus = replenishment.low_skus(uow, warehouse) if below_reorder else None
    pairs, total = db.levels_page(uow.conn, warehouse, skus, offset, limit)
    return [_level_item(sku, level) for sku, level in pairs], total


def _level_item(sku: str, level: StockLevel) -> dict:
    return {
        "sku": sku,
        "warehouse": level.warehouse,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
    }


def movements(uow: UnitOfWork, filters: dict, offset: int, limit: int) -> tuple[list, int]:
    if filters.get("sku") and not catalogue.known_skus(uow, {filters["sku"]}):
        raise Unknown(f"No product with SKU {filters['sku']}.")
    return db.movements_page(uow.conn, filters, offset, limit)
