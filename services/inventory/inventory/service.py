"""Inventory use cases: one function per command, each in one unit of work.

HTTP and event handlers both call these, so each rule is written once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from erp_shared.db import read_only, utcnow
from erp_shared.errors import Conflict, Invalid, NotFound
from erp_shared.uow import UnitOfWork
from inventory import db, domain

SERVICE = "inventory"


def _product_event(row) -> dict:
    return {
        "sku": row.sku,
        "name": row.name,
        "unit_price": row.unit_price,
        "currency": row.currency,
        "category": row.category,
    }


def create_product(engine: Engine, data: dict) -> dict:
    try:
        with UnitOfWork(engine, SERVICE) as uow:
            if db.product(uow.conn, data["sku"]) is not None:
                raise Conflict(f"SKU {data['sku']} is already in the catalogue.")
            db.insert_product(uow.conn, data)
            row = db.product(uow.conn, data["sku"])
            uow.emit("product.created", _product_event(row))
    except IntegrityError:
        raise Conflict(f"SKU {data['sku']} is already in the catalogue.") from None
    return dict(row._mapping)


def get_product(engine: Engine, sku: str) -> dict:
    with read_only(engine) as conn:
        row = db.product(conn, sku)
    if row is None:
        raise NotFound(f"No product with SKU {sku}.")
    return dict(row._mapping)


def receive_stock(engine: Engine, data: dict) -> dict:
    """Each receipt line becomes a FIFO lot and a receipt movement on the ledger."""
    warehouse = data["warehouse"]
    received_at = data.get("received_at") or utcnow()
    receipt_id = str(uuid.uuid4())
    with UnitOfWork(engine, SERVICE) as uow:
        known = db.existing_skus(uow.conn, {line["sku"] for line in data["lines"]})
        unknown = {
            str(index): {"sku": [f"Unknown SKU {line['sku']}."]}
            for index, line in enumerate(data["lines"])
            if line["sku"] not in known
        }
        if unknown:
            raise Invalid(
                "The receipt names products that are not in the catalogue.", {"lines": unknown}
            )
        db.insert_receipt(uow.conn, receipt_id, warehouse, received_at)
        lines = []
        for index, line in enumerate(data["lines"], start=1):
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


def stock_of(engine: Engine, sku: str) -> dict:
    with read_only(engine) as conn:
        if db.product(conn, sku) is None:
            raise NotFound(f"No product with SKU {sku}.")
        levels = db.stock_by_warehouse(conn, sku)
        lots = db.remaining_lots(conn, sku)
    warehouses = [
        {
            "warehouse": level.warehouse,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.on_hand - level.reserved,
        }
        for level in levels
    ]
    return {
        "sku": sku,
        "on_hand": sum(w["on_hand"] for w in warehouses),
        "reserved": sum(w["reserved"] for w in warehouses),
        "available": sum(w["available"] for w in warehouses),
        "warehouses": warehouses,
        "lots": [
            {
                "lot": lot.lot,
                "warehouse": lot.warehouse,
                "received_at": lot.received_at,
                "quantity": lot.quantity_remaining,
                "unit_cost": lot.unit_cost,
            }
            for lot in lots
        ],
    }


def reserve_stock(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Reserve every line of an order or none, and announce which it was.

    An order already decided is left alone, so a replayed order.placed changes nothing.
    """
    if db.reservation_decision(uow.conn, order_id) is not None:
        return
    requested = domain.requested_quantities(lines)
    available = db.lock_availability(uow.conn, requested)
    allocations, shortages = domain.plan_reservation(requested, available)
    for allocation in allocations:
        if not db.take_reservation(
            uow.conn, allocation.sku, allocation.warehouse, allocation.quantity
        ):
            raise RuntimeError(f"stock for {allocation.sku} changed under a row lock")
        db.insert_reservation(
            uow.conn, order_id, allocation.sku, allocation.warehouse, allocation.quantity
        )
    if shortages:
        reason = domain.shortage_reason(shortages)
        db.record_decision(uow.conn, order_id, "rejected", reason)
        uow.emit(
            "stock.reservation_rejected",
            {
                "order_id": order_id,
                "reason": reason,
                "lines": [
                    {"sku": s.sku, "requested": s.requested, "available": s.available}
                    for s in shortages
                ],
            },
        )
    else:
        db.record_decision(uow.conn, order_id, "reserved", None)
        uow.emit(
            "stock.reserved",
            {
                "order_id": order_id,
                "lines": [
                    {"sku": a.sku, "quantity": a.quantity, "warehouse": a.warehouse}
                    for a in allocations
                ],
            },
        )
