"""consumed event ids move from the inbox to the shared idempotency keys

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
    migration_steps.move_inbox_to_idempotency_keys()


def downgrade() -> None:
    migration_steps.move_idempotency_keys_to_inbox()
