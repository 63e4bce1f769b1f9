"""Prometheus metrics shared by every process of every service.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn with several workers, and the service's worker
writing beside them), each process writes its own file and `/metrics` merges them.

Every series carries a `service` label, so one set of rules and dashboards
(deploy/prometheus, deploy/grafana) serves every service. The business counters are counted
when their transaction commits (UnitOfWork.on_commit), so a rolled-back change counts nothing.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

from erp_shared.config import metrics_dir

HTTP_REQUESTS = Counter(
    "erp_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "erp_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMIT_STORAGE_ERRORS = Counter(
    "erp_rate_limit_storage_errors_total",
    "Times the shared rate-limit store (Redis) failed and limits fell back to this process",
    ["service"],
)
EVENTS_PUBLISHED = Counter(
    "erp_events_published_total", "Events confirmed by the broker", ["service", "type"]
)
EVENTS_CONSUMED = Counter(
    "erp_events_consumed_total", "Events handled and acknowledged", ["service", "type"]
)
EVENTS_FAILED = Counter(
    "erp_events_failed_total", "Event deliveries whose handling failed", ["service", "type"]
)
EVENTS_REFUSED = Counter(
    "erp_events_refused_total",
    "Events whose use case refused them for a business reason: acked, never redelivered",
    ["service", "type"],
)
EVENTS_REDELIVERED = Counter(
    "erp_events_redelivered_total",
    "Deliveries the broker marked redelivered: returned unacknowledged by a consumer before",
    ["service"],
)
EVENTS_DUPLICATE = Counter(
    "erp_events_duplicate_total", "Redelivered events skipped by the inbox", ["service", "type"]
)

ORDERS_PLACED = Counter(
    "erp_orders_placed_total", "Orders taken, by channel", ["service", "channel"]
)
ORDERS_DECIDED = Counter(
    "erp_orders_decided_total",
    "Orders confirmed or rejected (for stock or credit), by channel",
    ["service", "channel", "outcome"],
)
RESERVATION_CONFLICTS = Counter(
    "erp_reservation_conflicts_total",
    "Reservations refused because some line was short of stock",
    ["service"],
)
STOCKOUTS = Counter(
    "erp_stockouts_total",
    "Times a SKU's available stock in a warehouse reached zero",
    ["service", "warehouse"],
)
INVOICES_ISSUED = Counter(
    "erp_invoices_issued_total", "Invoices and credit notes issued", ["service", "kind"]
)
# Gauges a worker sets about its own service; the largest live value is the service's.
OUTBOX_BACKLOG = Gauge(
    "erp_outbox_backlog",
    "Events committed but not yet confirmed by the broker",
    ["service"],
    multiprocess_mode="livemax",
)
OUTBOX_AGE = Gauge(
    "erp_outbox_oldest_age_seconds",
    "How long the oldest unsent event has waited (0 when none waits)",
    ["service"],
    multiprocess_mode="livemax",
)
DEAD_LETTERS = Gauge(
    "erp_dead_letters",
    "Events in the service's dead-letter queue",
    ["service"],
    multiprocess_mode="livemax",
)
CONSUMER_UP = Gauge(
    "erp_consumer_up",
    "1 while the worker consumes its queue, 0 while it is reconnecting",
    ["service"],
    multiprocess_mode="livemax",
)
FORECAST_ERROR = Gauge(
    "erp_forecast_backtest_mape",
    "Median backtest sMAPE (a fraction) of the SKUs in the last finished forecast run",
    ["service"],
    multiprocess_mode="livemax",
)


def exposition() -> tuple[bytes, str]:
    """The text format for this service: every process's samples when in multiprocess mode,
    and the CPU and memory of the process answering (an app runs one worker process per
    container or pod; prometheus_client keeps no process metrics in multiprocess files)."""
    if metrics_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        ProcessCollector(registry=registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
