"""Reservation use cases: hold an order's stock, confirm, release or expire the hold, and
ship from it. Each takes the caller's unit of work and is load (or add), call the aggregate;
the unit of work saves it and sends what it recorded."""

from __future__ import annotations

from datetime import timedelta

from erp_shared import metrics
from erp_shared.errors import Unknown
from erp_shared.events import quantities_by_sku
from erp_shared.uow import UnitOfWork
from inventory.reservations import db
from inventory.reservations.domain import Reservation
from inventory.stock import service as stock


def reserve_stock(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Reserve every line of an order or none, and announce which it was.

    An order already decided is left alone, so a replayed order.placed changes nothing.
    """
    if db.decided(uow.conn, order_id):
        return
    requested = quantities_by_sku(lines)
    available = stock.lock_availability(uow, requested)
    reservation = Reservation.decide(order_id, requested, available, uow.now)
    for line in reservation.lines:
        stock.hold(uow, line.sku, line.warehouse, line.quantity)
    uow.add(db, reservation)
    if reservation.outcome == "rejected":
        uow.on_commit(lambda: metrics.RESERVATION_CONFLICTS.labels(uow.producer).inc())


def confirm_hold(uow: UnitOfWork, order_id: str) -> None:
    """The order is confirmed: its stock stays held until shipped or cancelled."""
    reservation = uow.load(db, order_id)
    if reservation is not None:
        reservation.confirm(uow.now)


def release_order(uow: UnitOfWork, order_id: str) -> None:
    """The order is cancelled or rejected: whatever it still holds goes back."""
    reservation = uow.load(db, order_id)
    if reservation is not None:
        _give_back(uow, reservation.release("released", uow.now))


def expire_holds(uow: UnitOfWork, hold_time: timedelta, batch: int = 100) -> int:
    """Release the holds of orders that were never confirmed within `hold_time`; how many."""
    expired = 0
    for order_id in db.unconfirmed_since(uow.conn, uow.now - hold_time, batch):
        given = uow.load(db, order_id).expire_if_unconfirmed(uow.now)
        _give_back(uow, given)
        expired += bool(given)
    return expired


def _give_back(uow: UnitOfWork, given) -> None:
    for line, units in given:
        stock.release(uow, line.sku, line.warehouse, units)


def ship_order(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Shipped goods leave from the order's hold, oldest lots first, and their cost is told
    (stock.issued). What a partial shipment leaves stays held."""
    reservation = uow.load(db, order_id)
    if reservation is None:
        raise Unknown(f"No reservation for order {order_id}.")

    def issue(line, units):
        return stock.issue_stock(uow, order_id, line.sku, line.warehouse, units)

    reservation.ship(quantities_by_sku(lines), issue, uow.now)
