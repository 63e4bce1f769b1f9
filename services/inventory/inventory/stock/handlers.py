"""Events that bring goods back: a return received restocks what is resellable."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from inventory.stock import service


def on_return_received(uow: UnitOfWork, event: Event) -> None:
    data = event.data
    service.restock_return(uow, data["return_id"], data["order_id"], data["lines"])


HANDLERS = {"return.received": on_return_received}
