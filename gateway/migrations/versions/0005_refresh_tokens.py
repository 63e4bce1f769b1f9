"""refresh tokens, used once each

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:05:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", erp_shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", erp_shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_user_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
