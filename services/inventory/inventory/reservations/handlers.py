"""Events of an order's life that move its hold on stock."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from inventory.reservations import service


def on_order_placed(uow: UnitOfWork, event: Event) -> None:
    service.reserve_stock(uow, event.data["order_id"], event.data["lines"])


def on_order_confirmed(uow: UnitOfWork, event: Event) -> None:
    service.confirm_hold(uow, event.data["order_id"])


def on_order_ended(uow: UnitOfWork, event: Event) -> None:
    service.release_order(uow, event.data["order_id"])


def on_order_shipped(uow: UnitOfWork, event: Event) -> None:
    service.ship_order(uow, event.data["order_id"], event.data["lines"])


HANDLERS = {
    "order.placed": on_order_placed,
    "order.confirmed": on_order_confirmed,
    "order.cancelled": on_order_ended,
    "order.rejected": on_order_ended,
    "order.shipped": on_order_shipped,
}
