"""Events that keep the replicas current: CRM's customers and campaigns, inventory's
catalogue."""

from __future__ import annotations

from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from orders.replicas import service


def on_customer_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_customer(uow, event.data, event.occurred_at)


def on_campaign_planned(uow: UnitOfWork, event: Event) -> None:
    service.replicate_campaign(uow, event.data)


def on_product_changed(uow: UnitOfWork, event: Event) -> None:
    service.replicate_product(uow, event.data, event.occurred_at)


HANDLERS = {
    "customer.registered": on_customer_changed,
    "customer.updated": on_customer_changed,
    "campaign.planned": on_campaign_planned,
    "product.created": on_product_changed,
    "product.updated": on_product_changed,
}
