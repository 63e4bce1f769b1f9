"""an invoice keeps the number of the order it bills, as its recipient reads it

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("order_number", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE invoices SET order_number = "
        "(SELECT orders.number FROM orders WHERE orders.id = invoices.order_id)"
    )
    with op.batch_alter_table("invoices") as batch:
        batch.alter_column("order_number", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("order_number")
