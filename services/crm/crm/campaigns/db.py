"""Loading and saving campaigns: the only SQL of the campaigns package."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from crm.campaigns.domain import Campaign
from crm.tables import campaigns
from erp_shared.db import insert_unique
from erp_shared.errors import Conflict

# What a campaign is; the events it has yet to send are not kept with it.
_FIELDS = [f.name for f in fields(Campaign) if f.compare]


def add(conn: Connection, campaign: Campaign) -> None:
    insert_unique(
        conn,
        campaigns.insert().values({name: getattr(campaign, name) for name in _FIELDS}),
        Conflict(f"Campaign code {campaign.code} is taken.", {"code": ["Already used."]}),
    )


def save(conn: Connection, campaign: Campaign) -> None:
    """A planned campaign does not change: there is nothing to write."""


def get(conn: Connection, campaign_id: str) -> Campaign | None:
    row = conn.execute(
        select(*(campaigns.c[name] for name in _FIELDS)).where(campaigns.c.id == campaign_id)
    ).first()
    return None if row is None else Campaign(**row._asdict())


def page(conn: Connection, offset: int, limit: int) -> tuple[list[Campaign], int]:
    query = select(*(campaigns.c[name] for name in _FIELDS))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(campaigns.c.starts_on.desc()).offset(offset).limit(limit))
    return [Campaign(**row._asdict()) for row in rows], total
