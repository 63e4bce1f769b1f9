"""one unfinished forecast run per scope; when a run last progressed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 14:40:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

UNFINISHED = "status IN ('queued', 'running')"


def upgrade() -> None:
    # Runs asked for again while one of their scope waited (a fuzzer queued 232) are the same
    # work: only the oldest stays. A queued run has no results yet.
    op.execute(
        "DELETE FROM forecast_runs WHERE status = 'queued' AND EXISTS ("
        " SELECT 1 FROM forecast_runs AS older"
        " WHERE older.granularity = forecast_runs.granularity"
        " AND older.horizon = forecast_runs.horizon"
        " AND older.status IN ('queued', 'running')"
        " AND (older.requested_at < forecast_runs.requested_at"
        " OR (older.requested_at = forecast_runs.requested_at AND older.id < forecast_runs.id)))"
    )
    with op.batch_alter_table("forecast_runs") as batch_op:
        batch_op.add_column(
            sa.Column("progressed_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.create_index(
        "ux_forecast_runs_unfinished_scope",
        "forecast_runs",
        ["granularity", "horizon"],
        unique=True,
        sqlite_where=sa.text(UNFINISHED),
        postgresql_where=sa.text(UNFINISHED),
    )


def downgrade() -> None:
    op.drop_index("ux_forecast_runs_unfinished_scope", table_name="forecast_runs")
    with op.batch_alter_table("forecast_runs") as batch_op:
        batch_op.drop_column("progressed_at")
