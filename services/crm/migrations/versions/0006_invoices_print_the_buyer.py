"""customers have a tax id, and what an invoice prints of them is announced

The orders service prints its invoices from its copy of each customer, which held the name and
e-mail only. customer.registered and customer.updated now also carry the company, the tax id
and the billing address; customers recorded before are announced once more here, as changing
them would, so their next invoice names their company and address too.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

from erp_shared.events import new_event
from erp_shared.messaging import add_to_outbox


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


CUSTOMERS = sa.table(
    "customers",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("company", sa.String),
    sa.column("credit_limit", sa.Numeric),
    sa.column("tags", sa.JSON),
    sa.column("blocked", sa.Boolean),
    sa.column("merged_into", sa.String),
    sa.column("erased_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
)
ADDRESSES = sa.table(
    "addresses",
    sa.column("id", sa.Integer),
    sa.column("customer_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("line1", sa.String),
    sa.column("city", sa.String),
    sa.column("postal_code", sa.String),
    sa.column("country", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("tax_id", sa.String(length=40), nullable=True))
    conn = op.get_bind()
    billing = {}
    for address in conn.execute(
        sa.select(ADDRESSES).where(ADDRESSES.c.kind == "billing").order_by(ADDRESSES.c.id)
    ):
        billing.setdefault(
            address.customer_id,
            {"line1": address.line1, "city": address.city,
             "postal_code": address.postal_code, "country": address.country},
        )
    live = conn.execute(
        sa.select(CUSTOMERS)
        .where(CUSTOMERS.c.merged_into.is_(None), CUSTOMERS.c.erased_at.is_(None))
        .order_by(CUSTOMERS.c.created_at)
    )
    for customer in live:
        if customer.company is None and customer.id not in billing:
            continue
        data = {
            "customer_id": customer.id,
            "name": customer.name,
            "email": customer.email,
            "credit_limit": customer.credit_limit,
            "tags": customer.tags or [],
            "blocked": bool(customer.blocked),
            "company": customer.company,
            "tax_id": None,
            "billing_address": billing.get(customer.id),
        }
        add_to_outbox(conn, new_event("customer.updated", data, producer="crm"))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("tax_id")
