"""consumed event ids and clients' Idempotency-Keys move to the shared idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:30:00
"""
from alembic import op
import sqlalchemy as sa
from erp_shared import migration_steps


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The scope erp_shared.web.create_once gives a key sent to POST /api/v1/orders.
SCOPE = "'POST /api/v1/orders by ' || placed_by"


def upgrade() -> None:
    migration_steps.move_inbox_to_idempotency_keys()
    op.execute(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, result, created_at) "
        f"SELECT {SCOPE}, idempotency_key, request_hash, id, created_at FROM orders "
        "WHERE idempotency_key IS NOT NULL"
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('uq_order_idempotency_key', type_='unique')
        batch_op.drop_column('request_hash')
        batch_op.drop_column('idempotency_key')


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            'uq_order_idempotency_key', ['placed_by', 'idempotency_key']
        )
    op.execute(
        "UPDATE orders SET idempotency_key = k.key, request_hash = k.fingerprint "
        "FROM idempotency_keys AS k "
        f"WHERE k.result = orders.id AND k.scope = {SCOPE}"
    )
    migration_steps.move_idempotency_keys_to_inbox()
