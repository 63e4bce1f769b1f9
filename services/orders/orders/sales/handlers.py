"""Events that move a sales order: inventory's answer to its reservation."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from orders.sales import service


def on_stock_reserved(uow: UnitOfWork, event: Event) -> None:
    service.confirm_order(uow, event.data["order_id"])


def on_reservation_rejected(uow: UnitOfWork, event: Event) -> None:
    service.reject_order(uow, event.data["order_id"], event.data["reason"])


HANDLERS = {
    "stock.reserved": on_stock_reserved,
    "stock.reservation_rejected": on_reservation_rejected,
}
