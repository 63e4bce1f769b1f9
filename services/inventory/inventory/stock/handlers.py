"""Events that move stock: an order placed asks for its lines to be reserved."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from inventory.stock import service


def on_order_placed(uow: UnitOfWork, event: Event) -> None:
    service.reserve_stock(uow, event.data["order_id"], event.data["lines"])


HANDLERS = {"order.placed": on_order_placed}
