"""Stock use cases: receive goods, reserve an order's lines, tell what is in stock.

Each takes the caller's unit of work; HTTP and event handlers both call these, so each rule
is written once.
"""

from __future__ import annotations

import uuid

from erp_shared.errors import Unknown, refuse_unknown_skus
from erp_shared.events import quantities_by_sku
from erp_shared.uow import UnitOfWork
from inventory.catalogue import service as catalogue
from inventory.stock import db
from inventory.stock.domain import Reservation, Stock


def receive_stock(uow: UnitOfWork, receipt: dict) -> dict:
    """Each receipt line becomes a FIFO lot and a receipt movement on the ledger."""
    known = catalogue.known_skus(uow, {line["sku"] for line in receipt["lines"]})
    refuse_unknown_skus(
        receipt["lines"], known, "The receipt names products that are not in the catalogue."
    )
    warehouse = receipt["warehouse"]
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
        db.record_movement(
            uow.conn,
            sku=line["sku"],
            warehouse=warehouse,
            kind="receipt",
            quantity=line["quantity"],
            unit_cost=line["unit_cost"],
            reference=receipt_id,
            occurred_at=received_at,
        )
        db.add_on_hand(uow.conn, line["sku"], warehouse, line["quantity"])
        lines.append({**line, "lot": lot})
    return {"id": receipt_id, "warehouse": warehouse, "received_at": received_at, "lines": lines}


def get_receipt(uow: UnitOfWork, receipt_id: str) -> dict:
    receipt = db.receipt(uow.conn, receipt_id)
    if receipt is None:
        raise Unknown(f"No receipt {receipt_id}.")
    return receipt


def stock_of(uow: UnitOfWork, sku: str) -> Stock:
    if not catalogue.known_skus(uow, {sku}):
        raise Unknown(f"No product with SKU {sku}.")
    return Stock(sku, db.levels(uow.conn, sku), db.remaining_lots(uow.conn, sku))


def reserve_stock(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Reserve every line of an order or none, and announce which it was.

    An order already decided is left alone, so a replayed order.placed changes nothing.
    """
    if db.reservation_decided(uow.conn, order_id):
        return
    requested = quantities_by_sku(lines)
    reservation = Reservation.decide(order_id, requested, db.lock_availability(uow.conn, requested))
    db.add_reservation(uow.conn, reservation, uow.now)
    uow.collect([reservation])
