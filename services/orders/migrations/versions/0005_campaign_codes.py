"""the codes of CRM's campaigns, so an order carries only a code that exists

Filled from campaign.planned events; the CRM's migration 0005 announces the campaigns
planned before the event existed.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaigns',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('campaign_id', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )


def downgrade() -> None:
    op.drop_table('campaigns')
