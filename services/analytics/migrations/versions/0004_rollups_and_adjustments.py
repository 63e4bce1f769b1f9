"""returns, credit and cost in the sales figures; week and month rollups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:20:00
"""
from alembic import op
import sqlalchemy as sa
import erp_shared.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ADDED = ("returned_units", "credited", "cost")
FIGURES = ("orders", "units", "revenue") + ADDED


def added_columns() -> list[sa.Column]:
    zero = sa.text("0")
    return [
        sa.Column("returned_units", sa.Integer(), nullable=False, server_default=zero),
        sa.Column("credited", erp_shared.db.Money(), nullable=False, server_default=zero),
        sa.Column("cost", erp_shared.db.Money(), nullable=False, server_default=zero),
    ]


def upgrade() -> None:
    with op.batch_alter_table("sales_daily") as batch_op:
        for column in added_columns():
            batch_op.add_column(column)
    op.create_table(
        "sales_adjustments",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        *added_columns(),
        sa.PrimaryKeyConstraint("order_id", "sku"),
    )
    op.create_table(
        "sales_rollups",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("revenue", erp_shared.db.Money(), nullable=False),
        *added_columns(),
        sa.PrimaryKeyConstraint("grain", "dimension", "period", "key"),
        sqlite_with_rowid=False,
    )
    move_returned_units()
    with op.batch_alter_table("sales_orders") as batch_op:
        batch_op.drop_column("returned_units")
    sums = ", ".join(f"SUM({name})" for name in FIGURES)
    for grain in ("week", "month"):
        op.execute(
            f"INSERT INTO sales_rollups (grain, dimension, key, period, {', '.join(FIGURES)}) "
            f"SELECT '{grain}', dimension, key, {grain}, {sums} FROM sales_daily "
            f"GROUP BY dimension, key, {grain}"
        )


def move_returned_units() -> None:
    """Returned units were kept per order, not per SKU: they move to the order's first SKU,
    and into the figures of its day if it counts."""
    conn = op.get_bind()
    returned = conn.execute(
        sa.text(
            "SELECT o.order_id, o.customer_id, o.channel, o.placed_at, o.aggregated, "
            "o.returned_units, MIN(l.sku) AS sku FROM sales_orders AS o "
            "JOIN sales_lines AS l ON l.order_id = o.order_id WHERE o.returned_units > 0 "
            "GROUP BY o.order_id, o.customer_id, o.channel, o.placed_at, o.aggregated, "
            "o.returned_units"
        ).columns(placed_at=erp_shared.db.UtcDateTime())
    ).all()
    for order in returned:
        conn.execute(
            sa.text(
                "INSERT INTO sales_adjustments (order_id, sku, returned_units, credited, cost) "
                "VALUES (:order_id, :sku, :units, 0, 0)"
            ),
            {"order_id": order.order_id, "sku": order.sku, "units": order.returned_units},
        )
        if not order.aggregated:
            continue
        for dimension, key in (
            ("product", order.sku),
            ("customer", order.customer_id),
            ("channel", order.channel),
        ):
            conn.execute(
                sa.text(
                    "UPDATE sales_daily SET returned_units = returned_units + :units "
                    "WHERE dimension = :dimension AND key = :key AND day = :day"
                ).bindparams(sa.bindparam("day", type_=sa.Date())),
                {
                    "units": order.returned_units,
                    "dimension": dimension,
                    "key": key,
                    "day": order.placed_at.date(),
                },
            )


def downgrade() -> None:
    with op.batch_alter_table("sales_orders") as batch_op:
        batch_op.add_column(
            sa.Column("returned_units", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.execute(
        "UPDATE sales_orders SET returned_units = COALESCE((SELECT SUM(a.returned_units) "
        "FROM sales_adjustments AS a WHERE a.order_id = sales_orders.order_id), 0)"
    )
    op.drop_table("sales_rollups")
    op.drop_table("sales_adjustments")
    with op.batch_alter_table("sales_daily") as batch_op:
        for name in ADDED:
            batch_op.drop_column(name)
