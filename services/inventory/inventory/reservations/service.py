"""Reservation use cases: hold an order's stock, confirm, release or expire the hold, and
ship from it. Each takes the caller's unit of work and is load, call the aggregate, save."""

from __future__ import annotations

from datetime import timedelta

from erp_shared import metrics
from erp_shared.errors import Unknown
from erp_shared.events import quantities_by_sku
from erp_shared.money import money
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
    reservation = Reservation.decide(order_id, requested, stock.lock_availability(uow, requested))
    for line in reservation.lines:
        stock.hold(uow, line.sku, line.warehouse, line.quantity)
    db.add(uow.conn, reservation, uow.now)
    uow.collect([reservation])
    if reservation.outcome == "rejected":
        uow.on_commit(lambda: metrics.RESERVATION_CONFLICTS.labels(uow.producer).inc())


def confirm_hold(uow: UnitOfWork, order_id: str) -> None:
    """The order is confirmed: its stock stays held until shipped or cancelled."""
    reservation = db.get(uow.conn, order_id)
    if reservation is not None:
        reservation.confirm()
        db.save(uow.conn, reservation, uow.now)


def release_order(uow: UnitOfWork, order_id: str) -> None:
    """The order is cancelled or rejected: whatever it still holds goes back."""
    reservation = db.get(uow.conn, order_id)
    if reservation is None:
        return
    _give_back(uow, reservation, reservation.release("released"))


def expire_holds(uow: UnitOfWork, hold_time: timedelta, batch: int = 100) -> int:
    """Release the holds of orders that were never confirmed within `hold_time`; how many."""
    expired = 0
    for order_id in db.unconfirmed_since(uow.conn, uow.now - hold_time, batch):
        reservation = db.get(uow.conn, order_id)
        given = reservation.expire_if_unconfirmed()
        _give_back(uow, reservation, given)
        expired += bool(given)
    return expired


def _give_back(uow: UnitOfWork, reservation: Reservation, given) -> None:
    for line, units in given:
        stock.release(uow, line.sku, line.warehouse, units)
    db.save(uow.conn, reservation, uow.now)
    uow.collect([reservation])


def ship_order(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Shipped goods leave from the order's hold, oldest lots first, and their cost is told
    (stock.issued). What a partial shipment leaves stays held."""
    reservation = db.get(uow.conn, order_id)
    if reservation is None:
        raise Unknown(f"No reservation for order {order_id}.")
    issued = []
    for sku, quantity in quantities_by_sku(lines).items():
        cost = sum(
            stock.issue_stock(uow, order_id, sku, line.warehouse, units)
            for line, units in reservation.ship(sku, quantity)
        )
        issued.append({"sku": sku, "quantity": quantity, "cost": money(cost)})
    db.save(uow.conn, reservation, uow.now)
    uow.emit("stock.issued", {"order_id": order_id, "lines": issued})
