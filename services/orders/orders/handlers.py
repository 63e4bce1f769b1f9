"""Event entry points of orders: one small function per consumed type."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from orders import service


def on_stock_reserved(uow: UnitOfWork, event: Event) -> None:
    service.confirm_order(uow, event.data["order_id"])


def on_reservation_rejected(uow: UnitOfWork, event: Event) -> None:
    service.reject_order(uow, event.data["order_id"], event.data["reason"])


def on_customer_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_customer(uow, event.data, event.occurred_at)


def on_product_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_product(uow, event.data, event.occurred_at)


HANDLERS = {
    "customer.registered": on_customer_changed,
    "customer.updated": on_customer_changed,
    "product.created": on_product_changed,
    "product.updated": on_product_changed,
    "stock.reserved": on_stock_reserved,
    "stock.reservation_rejected": on_reservation_rejected,
}
