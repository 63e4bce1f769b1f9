"""Event entry points of the CRM: one small function per consumed type."""

from __future__ import annotations

from crm import service
from erp_shared.events import Event
from erp_shared.uow import UnitOfWork


def on_segment_changed(uow: UnitOfWork, event: Event) -> None:
    service.assign_segment(uow, event.data["customer_id"], event.data["segment"])


HANDLERS = {"customer.segment_changed": on_segment_changed}
