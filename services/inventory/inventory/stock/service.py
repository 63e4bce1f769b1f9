"""Stock use cases: goods in (receipts, returns), goods out (issues), counts, transfers, and
what is where. Each takes the caller's unit of work.

Every change of stock goes through a SKU's stock in a warehouse (the WarehouseStock aggregate),
which writes the movement on the ledger beside the level change, with who asked (`uow.actor`)
and the request it came from; every change of what is available is shown to replenishment,
which says when a SKU runs low.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from erp_shared.errors import Invalid, Unknown, refuse_overvalued_lines, refuse_unknown_skus
from erp_shared.uow import UnitOfWork
from inventory.catalogue import service as catalogue
from inventory.replenishment import service as replenishment
from inventory.stock import db
from inventory.stock.domain import Clerk, Stock, StockLevel, WarehouseStock

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


# --- a SKU's stock in a warehouse ---------------------------------------------------------


def _shelf(uow: UnitOfWork, sku: str, warehouse: str, *, lots: bool = True) -> WarehouseStock:
    """A SKU's stock in a warehouse, locked until the commit, which saves what changed; its
    lots are loaded (and locked) only for goods that leave, since goods coming in add a lot.

    What the transaction changed so far is saved first, so a second look at the same stock
    (two lines of one receipt, two orders' holds expiring together) starts where the first
    one left it."""
    uow.flush()
    clerk = Clerk(uow.actor, uow.request_id, uow.now)
    return uow.load(db.Shelves, (sku, warehouse), clerk=clerk, lots=lots)


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
        stock = _shelf(uow, line["sku"], warehouse, lots=False)
        stock.receive(
            line["quantity"],
            line["unit_cost"],
            lot=lot,
            receipt_id=receipt_id,
            received_at=received_at,
            reason=receipt.get("reason"),
        )
        replenishment.watch(uow, line["sku"], warehouse, stock.available)
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
    issued = uow.load(db.IssuesByOrder, order_id)
    for part, units in issued.take_back(return_id, lines, uow.now):
        stock = _shelf(uow, part.sku, part.warehouse, lots=False)
        stock.restock(units, part.unit_cost, return_id=return_id, order_id=order_id)
        replenishment.watch(uow, part.sku, part.warehouse, stock.available)


# --- goods out -----------------------------------------------------------------------------


def issue_stock(uow: UnitOfWork, order_id: str, sku: str, warehouse: str, quantity: int):
    """Reserved goods leave for a customer, oldest lots first; returns their cost."""
    return _shelf(uow, sku, warehouse).issue(order_id, quantity)


# --- counts and transfers ------------------------------------------------------------------


def adjust_stock(uow: UnitOfWork, adjustment: dict) -> dict:
    """A count that differs from the books, given as the change (`quantity_delta`) or as what
    was counted (`counted`): more creates a lot, less leaves oldest first."""
    sku, warehouse = adjustment["sku"], adjustment["warehouse"]
    _require_product(uow, sku)
    _require_warehouses(uow, {"warehouse": warehouse})
    stock = _shelf(uow, sku, warehouse)
    counted = adjustment.get("counted")
    delta = adjustment["quantity_delta"] if counted is None else counted - stock.on_hand
    unit_cost = adjustment.get("unit_cost")
    if unit_cost is None and delta > 0:
        unit_cost = _latest_cost(uow, sku, warehouse)
    adjustment_id = str(uuid.uuid4())
    details = {"reason": adjustment["reason"], "reference": adjustment_id}
    if counted is None:
        stock.adjust(delta, unit_cost, **details)
    else:
        stock.count(counted, unit_cost, **details)
    replenishment.watch(uow, sku, warehouse, stock.available)
    uow.flush()
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
    transfer_id, reason = str(uuid.uuid4()), transfer.get("reason")
    sent = _shelf(uow, sku, source)
    takes = sent.send(quantity, destination, reference=transfer_id, reason=reason)
    arrived = _shelf(uow, sku, destination)
    arrived.take_in(takes, reference=transfer_id, reason=reason)
    replenishment.watch(uow, sku, source, sent.available)
    replenishment.watch(uow, sku, destination, arrived.available)
    uow.flush()
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
    """Set stock aside for an order, never more than is available (no overselling)."""
    stock = _shelf(uow, sku, warehouse, lots=False)
    stock.hold(quantity)
    replenishment.watch(uow, sku, warehouse, stock.available)


def release(uow: UnitOfWork, sku: str, warehouse: str, quantity: int) -> None:
    stock = _shelf(uow, sku, warehouse, lots=False)
    stock.release(quantity)
    replenishment.watch(uow, sku, warehouse, stock.available)


# --- what is where -------------------------------------------------------------------------


def stock_of(uow: UnitOfWork, sku: str) -> Stock:
    if not catalogue.known_skus(uow, {sku}):
        raise Unknown(f"No product with SKU {sku}.")
    return Stock(sku, db.levels(uow.conn, sku), db.remaining_lots(uow.conn, sku))


def stock_list(uow: UnitOfWork, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
    """Stock by SKU and warehouse, with each product's name; `q` finds part of a SKU or name,
    `below_reorder` only what is at or under its reorder point."""
    warehouse = filters.get("warehouse")
    skus = replenishment.low_skus(uow, warehouse) if filters.get("below_reorder") else None
    rows, total = db.levels_page(uow.conn, warehouse, skus, filters.get("q"), offset, limit)
    return [_level_item(sku, level) | {"name": name} for sku, name, level in rows], total


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
