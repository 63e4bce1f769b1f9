"""forecast runs over the whole catalogue

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 07:40:00
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
        "forecast_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("granularity", sa.String(length=5), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("next_sku", sa.String(length=64), nullable=False),
        sa.Column("requested_at", erp_shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=True),
        sa.Column("started_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", erp_shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_forecast_runs_status", "forecast_runs", ["status", "requested_at"])
    op.create_table(
        "forecast_results",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("smape", sa.Float(), nullable=True),
        sa.Column("baseline_mase", sa.Float(), nullable=True),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["forecast_runs.id"]),
        sa.PrimaryKeyConstraint("run_id", "sku"),
    )


def downgrade() -> None:
    op.drop_table("forecast_results")
    op.drop_index("ix_forecast_runs_status", table_name="forecast_runs")
    op.drop_table("forecast_runs")
