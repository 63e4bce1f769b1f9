"""Campaign use cases: plan one, and measure what it earned from the orders that carried its
code. Each takes the caller's unit of work, which sends what a new campaign announces at the
commit."""

from __future__ import annotations

import uuid

from crm.campaigns import db
from crm.campaigns.domain import Campaign, performance
from crm.purchases import service as purchases
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork


def plan_campaign(uow: UnitOfWork, details: dict) -> dict:
    """A new campaign, announced so that orders accept its code."""
    campaign = uow.add(db, Campaign.plan(id=str(uuid.uuid4()), created_at=uow.now, **details))
    return campaign_with_performance(uow, campaign.id)


def campaign_with_performance(uow: UnitOfWork, campaign_id: str) -> dict:
    campaign = db.get(uow.conn, campaign_id)
    if campaign is None:
        raise Unknown(f"No campaign {campaign_id}.")
    orders = purchases.orders_with_code(uow, campaign.code)
    first = purchases.first_orders(uow, {order["customer_id"] for order in orders})
    return {"campaign": campaign, "performance": performance(campaign, orders, first)}


def list_campaigns(uow: UnitOfWork, offset: int, limit: int):
    return db.page(uow.conn, offset, limit)
