"""a refresh token remembers it was used up by a refresh, not revoked by a sign-out

Two tabs of one browser renew the same refresh token at the same moment; the second of them
was taken for a thief and signed the user out everywhere. A token used up by a refresh now
notes when, so a second use within a few seconds is a sibling tab, not a copy.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("used_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.drop_column("used_at")
