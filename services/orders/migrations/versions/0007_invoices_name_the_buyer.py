"""an invoice names its buyer as it was at issue, its products by name, and its due date

Invoices showed the customer's id and SKUs only. The customer copy now keeps the company, tax
id and billing address the CRM announces; an invoice keeps its buyer (name, company, e-mail,
tax id, address) and each line its product's name as they were when it was issued, and the
date its payment is due. Invoices issued before keep what they had: no buyer, no names.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("company", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("tax_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("billing_address", sa.JSON(), nullable=True))
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("buyer", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("due_on")
        batch.drop_column("buyer")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("billing_address")
        batch.drop_column("tax_id")
        batch.drop_column("company")
