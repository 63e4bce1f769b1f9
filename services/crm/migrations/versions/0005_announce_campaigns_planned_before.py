"""announce the campaigns planned before campaign.planned existed

Orders accepts a campaign code only once it has heard the campaign announced, and campaigns
planned before this event existed were never announced: every order naming one was refused.
Their campaign.planned events are written to the outbox here, as planning them would have,
and the relay sends them like any other.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from erp_shared.events import new_event
from erp_shared.messaging import add_to_outbox


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


CAMPAIGNS = sa.table(
    "campaigns",
    sa.column("id", sa.String),
    sa.column("code", sa.String),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    conn = op.get_bind()
    planned = conn.execute(
        sa.select(CAMPAIGNS.c.id, CAMPAIGNS.c.code, CAMPAIGNS.c.starts_on, CAMPAIGNS.c.ends_on)
        .order_by(CAMPAIGNS.c.created_at)
    ).all()
    for campaign in planned:
        data = {
            "campaign_id": campaign.id,
            "code": campaign.code,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
        }
        add_to_outbox(conn, new_event("campaign.planned", data, producer="crm"))


def downgrade() -> None:
    # What was announced stays announced: orders keeping a code harms nothing.
    pass
