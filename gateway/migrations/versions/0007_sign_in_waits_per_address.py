"""wrong passwords make an address wait for a username instead of locking the account

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:40:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_sign_ins",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", erp_shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "address"),
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("locked_until", erp_shared.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.drop_table("failed_sign_ins")
