"""Events that move a sales order: inventory's answers about its stock."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from orders.sales import service


def on_stock_reserved(uow: UnitOfWork, event: Event) -> None:
    service.confirm_order(uow, event.data["order_id"])


def on_reservation_rejected(uow: UnitOfWork, event: Event) -> None:
    service.reject_order(uow, event.data["order_id"], event.data["reason"])


def on_stock_released(uow: UnitOfWork, event: Event) -> None:
    """Inventory let an unconfirmed order's hold expire: that order can no longer go out."""
    if event.data.get("reason") == "expired":
        service.hold_expired(uow, event.data["order_id"])


def on_customer_erased(uow: UnitOfWork, event: Event) -> None:
    service.forget_customer(uow, event.data["customer_id"])


def on_customer_merged(uow: UnitOfWork, event: Event) -> None:
    service.move_customer(uow, event.data["customer_id"], event.data["survivor_id"])


HANDLERS = {
    "customer.erased": on_customer_erased,
    "customer.merged": on_customer_merged,
    "stock.reserved": on_stock_reserved,
    "stock.reservation_rejected": on_reservation_rejected,
    "stock.released": on_stock_released,
}
