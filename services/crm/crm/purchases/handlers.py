"""Events of orders and returns that the CRM keeps a copy of."""

from __future__ import annotations

from crm.purchases import service
from erp_shared.events import Event
from erp_shared.uow import UnitOfWork


def on_order_placed(uow: UnitOfWork, event: Event) -> None:
    service.record_order_placed(uow, event.data, event.occurred_at)


def on_order_status(uow: UnitOfWork, event: Event) -> None:
    status = event.type.removeprefix("order.")
    service.record_order_status(uow, event.data["order_id"], status, event.occurred_at)


def on_return(uow: UnitOfWork, event: Event) -> None:
    status = event.type.removeprefix("return.")
    service.record_return(uow, event.data, status, event.occurred_at)


HANDLERS = {
    "order.placed": on_order_placed,
    **{
        f"order.{status}": on_order_status
        for status in ("confirmed", "rejected", "cancelled", "shipped", "delivered")
    },
    "return.requested": on_return,
    "return.received": on_return,
}
