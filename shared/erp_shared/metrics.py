"""Prometheus metrics shared by every process of every service.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn with several workers, and the service's worker
writing beside them), each process writes its own file and `/metrics` merges them.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
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
EVENTS_DUPLICATE = Counter(
    "erp_events_duplicate_total", "Redelivered events skipped by the inbox", ["service", "type"]
)


def exposition() -> tuple[bytes, str]:
    """The text format for this service: every process's samples when in multiprocess mode."""
    if metrics_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
