"""a session's refresh tokens end a fixed time after its sign-in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 14:40:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A token issued before sessions had a start counts its own issue as the start.
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("session_started_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE refresh_tokens SET session_started_at = issued_at")
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.alter_column(
            "session_started_at",
            existing_type=erp_shared.db.UtcDateTime(timezone=True),
            nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.drop_column("session_started_at")
