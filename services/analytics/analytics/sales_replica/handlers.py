"""Events analytics keeps its copy of sales and products from."""

from __future__ import annotations

from analytics.sales_replica import service
from erp_shared.events import Event
from erp_shared.uow import UnitOfWork


def on_order_settled(uow: UnitOfWork, event: Event) -> None:
    """Decided or cancelled: the event carries the order itself, so analytics takes no
    order.placed (a pending order counts in no figure), one delivery instead of two."""
    if "lines" in event.data:
        service.record_order_placed(uow, event.data, event.data["placed_at"])
    on_order_status_changed(uow, event)


def on_order_status_changed(uow: UnitOfWork, event: Event) -> None:
    status = event.type.removeprefix("order.")
    service.record_order_status(uow, event.data["order_id"], status, event.occurred_at)


def on_product_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_product(uow, event.data, event.occurred_at)


def on_return_received(uow: UnitOfWork, event: Event) -> None:
    service.record_return(uow, event.data["order_id"], event.data["lines"])


def on_invoice_issued(uow: UnitOfWork, event: Event) -> None:
    """Credit notes lower revenue; an invoice bills what the order already counted."""
    if event.data["kind"] == "credit_note":
        service.record_credit_note(uow, event.data["order_id"], event.data.get("lines", []))


def on_stock_issued(uow: UnitOfWork, event: Event) -> None:
    service.record_cost(uow, event.data["order_id"], event.data["lines"])


def on_stock_restocked(uow: UnitOfWork, event: Event) -> None:
    if "order_id" in event.data:
        service.record_restock(uow, event.data["order_id"], event.data["lines"])


def on_customer_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_customer(uow, event.data, event.occurred_at)


def on_customer_erased(uow: UnitOfWork, event: Event) -> None:
    service.forget_customer(uow, event.data["customer_id"])


def on_customer_merged(uow: UnitOfWork, event: Event) -> None:
    service.move_customer(uow, event.data["customer_id"], event.data["survivor_id"])


HANDLERS = {
    "customer.registered": on_customer_changed,
    "customer.updated": on_customer_changed,
    "customer.erased": on_customer_erased,
    "customer.merged": on_customer_merged,
    "product.created": on_product_changed,
    "product.updated": on_product_changed,
    "return.received": on_return_received,
    "invoice.issued": on_invoice_issued,
    "stock.issued": on_stock_issued,
    "stock.restocked": on_stock_restocked,
    **{f"order.{status}": on_order_settled for status in ("confirmed", "rejected", "cancelled")},
    **{f"order.{status}": on_order_status_changed for status in ("shipped", "delivered")},
}
