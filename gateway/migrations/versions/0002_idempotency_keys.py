"""idempotency keys for requests that create users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:30:00
"""
from erp_shared import migration_steps


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_steps.create_idempotency_keys()


def downgrade() -> None:
    migration_steps.drop_idempotency_keys()
