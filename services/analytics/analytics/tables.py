"""Analytics' one MetaData: the sales replica built from order events, for its one Alembic
history. Queries live in db.py."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
)

from analytics.domain import COUNTED_STATUSES
from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(36)),
    Column("channel", String(20)),
    Column("campaign_code", String(64)),
    Column("revenue", Money),
    Column("total", Money),
    Column("currency", String(3)),
    Column("units", Integer),
    Column("status", String(20), nullable=False),
    Column("placed_at", UtcDateTime, index=True),
    Column("status_changed_at", UtcDateTime, nullable=False),
    # An exchange's replacement (free goods for goods sent back) is no new sale: it adds the
    # cost of what it sends to the figures, and no order, unit or revenue.
    Column("replacement", Boolean, nullable=False, default=False),
    # Whether the order's lines are in the daily sales figures: they are while it counts
    # (confirmed or further) and its lines are known, whatever order its events came in.
    Column("aggregated", Boolean, nullable=False, default=False),
)

# The orders that are sales to a customer, as RFM, baskets and repeat purchases count them:
# counted, and not an exchange's replacement.
SOLD: ColumnElement[bool] = and_(
    sales_orders.c.status.in_(COUNTED_STATUSES), sales_orders.c.replacement.is_(False)
)

sales_lines = Table(
    "sales_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("sales_orders.order_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
)

# What happened to an order's goods after the sale, per SKU: units returned, revenue given
# back by credit notes (net of tax) and the FIFO cost of goods issued. Kept apart from the
# order so each event adds its share whatever order the events arrive in.
sales_adjustments = Table(
    "sales_adjustments",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("returned_units", Integer, nullable=False, default=0),
    Column("credited", Money, nullable=False, default=0),
    # The FIFO cost of the goods issued for the order, less that of goods put back on the
    # shelf when they were returned.
    Column("cost", Money, nullable=False, default=0),
)

# What analytics knows of the catalogue, from product events: categories for the reports.
products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100)),
    Column("unit_price", Money),
    Column("currency", String(3)),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

# The sums every sales figure row carries, by the day the orders were placed on.
FIGURES = ("orders", "units", "revenue", "returned_units", "credited", "cost")


def _figure_columns() -> list[Column]:
    return [
        Column("orders", Integer, nullable=False),
        Column("units", Integer, nullable=False),
        Column("revenue", Money, nullable=False),
        Column("returned_units", Integer, nullable=False, default=0),
        Column("credited", Money, nullable=False, default=0),
        Column("cost", Money, nullable=False, default=0),
    ]


# Sales per day by product, customer and channel, kept by the event handlers as orders come
# to count or stop counting, so a report sums days instead of scanning order lines. `week`
# (its Monday) and `month` (its first day) let a report group a part period's days.
sales_daily = Table(
    "sales_daily",
    metadata,
    Column("dimension", String(10), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("week", Date, nullable=False),
    Column("month", Date, nullable=False),
    *_figure_columns(),
)
Index("ix_sales_daily_period", sales_daily.c.dimension, sales_daily.c.day)

# The same figures per whole week and month, kept beside the days by the same handlers, so
# a year's report sums twelve months instead of 365 days.
sales_rollups = Table(
    "sales_rollups",
    metadata,
    Column("grain", String(5), primary_key=True),
    Column("dimension", String(10), primary_key=True),
    Column("period", Date, primary_key=True),
    Column("key", String(64), primary_key=True),
    *_figure_columns(),
    # Rows clustered by period and key: a report's whole periods are one range read in order.
    sqlite_with_rowid=False,
)

# What analytics knows of CRM's customers, from their events: the e-mail past orders in a
# history import may name a customer by.
customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("email", String(254), index=True),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

# Buyers of past orders CRM does not know (yet): a stable id made from the reference the
# history named them by, so their orders count in RFM and repeat purchases; when CRM
# registers a customer with that e-mail, the orders become that customer's.
external_customers = Table(
    "external_customers",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("customer_ref", String(254), nullable=False, unique=True),
)

# The segment each customer was last given, so a change is announced once.
customer_segments = Table(
    "customer_segments",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("segment", String(20), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# Sales from before the system, loaded in batches, line by line. They count in the figures
# like any order, summed from here in SQL; lines with an `order_ref` are also orders of the
# replica (`order_id`, bought by `customer_id`), for RFM, baskets and repeat purchases.
history_sales = Table(
    "history_sales",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    # The day's week (its Monday) and month (its first day), as the figures group them.
    Column("week", Date),
    Column("month", Date),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("revenue", Money, nullable=False),
    Column("order_ref", String(64)),
    Column("order_id", String(36)),
    Column("customer_ref", String(254)),
    Column("customer_id", String(36)),
    # The channel the line names, or "history".
    Column("channel", String(20)),
)

competitor_observations = Table(
    "competitor_observations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("competitor", String(120), nullable=False),
    Column("sku", String(64)),
    Column("category", String(100)),
    Column("price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    Column("units_sold", Integer),
    Column("recorded_by", String(80)),
)
Index("ix_competitor_sku", competitor_observations.c.sku, competitor_observations.c.observed_at)
Index(
    "ix_competitor_category",
    competitor_observations.c.category,
    competitor_observations.c.observed_at,
)

# A forecast of every SKU, worked through by the worker in chunks: `next_sku` is where the
# next chunk starts (claimed by compare-and-set, so two workers never take the same one).
forecast_runs = Table(
    "forecast_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("granularity", String(5), nullable=False),
    Column("horizon", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False, default=0),
    Column("next_sku", String(64), nullable=False, default=""),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("requested_by", String(80)),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    # When a chunk was last claimed or saved: a run that stops progressing lost its worker.
    Column("progressed_at", UtcDateTime),
)
Index("ix_forecast_runs_status", forecast_runs.c.status, forecast_runs.c.requested_at)
# One queued or running run per scope: asking again answers it instead of adding work.
_UNFINISHED = forecast_runs.c.status.in_(("queued", "running"))
Index(
    "ux_forecast_runs_unfinished_scope",
    forecast_runs.c.granularity,
    forecast_runs.c.horizon,
    unique=True,
    sqlite_where=_UNFINISHED,
    postgresql_where=_UNFINISHED,
)

forecast_results = Table(
    "forecast_results",
    metadata,
    Column("run_id", String(36), ForeignKey("forecast_runs.id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("method", String(20), nullable=False),
    Column("mase", Float),
    Column("smape", Float),
    Column("baseline_mase", Float),
    # [[period, forecast, lower, upper], ...]
    Column("points", JSON, nullable=False),
)
