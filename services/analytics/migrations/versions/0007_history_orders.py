"""past orders with their customers; exchange replacements

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    false = sa.false()
    with op.batch_alter_table("sales_orders") as batch_op:
        batch_op.add_column(
            sa.Column("replacement", sa.Boolean(), nullable=False, server_default=false)
        )
    with op.batch_alter_table("history_sales") as batch_op:
        batch_op.add_column(sa.Column("week", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("month", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("order_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("order_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("customer_ref", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("customer_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("source_updated_at", erp_shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_customers_email", "customers", ["email"])
    op.create_table(
        "external_customers",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("customer_ref", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
        sa.UniqueConstraint("customer_ref"),
    )


def downgrade() -> None:
    op.drop_table("external_customers")
    op.drop_index("ix_customers_email", table_name="customers")
    op.drop_table("customers")
    with op.batch_alter_table("history_sales") as batch_op:
        for name in ("channel", "customer_id", "customer_ref", "order_id", "order_ref", "month", "week"):
            batch_op.drop_column(name)
    with op.batch_alter_table("sales_orders") as batch_op:
        batch_op.drop_column("replacement")
