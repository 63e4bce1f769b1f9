"""Events about a customer's record: the segment analytics assigns."""

from __future__ import annotations

from crm.customers import service
from erp_shared.events import Event
from erp_shared.uow import UnitOfWork


def on_segment_changed(uow: UnitOfWork, event: Event) -> None:
    service.assign_segment(uow, event.data["customer_id"], event.data["segment"])


HANDLERS = {"customer.segment_changed": on_segment_changed}
