"""Every process logs one JSON object per line, with the request (or event) it was working
on, so a log collector can follow one order across services."""

from __future__ import annotations

import json
import logging

import pytest

from erp_shared.context import caused_by, configure_logging, stop_logging


@pytest.fixture
def root_handlers():
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    yield
    stop_logging()
    root.handlers[:] = kept
    root.setLevel(level)


def test_a_log_line_is_json_with_service_request_and_cause(capsys, root_handlers):
    configure_logging("orders-worker", "INFO")

    with caused_by("req-7", "event-9"):
        logging.getLogger("orders.sales").warning("order %s refused", "SO-1")
    stop_logging()

    line = json.loads(capsys.readouterr().out.strip())
    assert line["service"] == "orders-worker"
    assert line["level"] == "WARNING"
    assert line["logger"] == "orders.sales"
    assert line["message"] == "order SO-1 refused"
    assert (line["request_id"], line["causation_id"]) == ("req-7", "event-9")


def test_text_logs_remain_for_a_person_at_a_terminal(capsys, root_handlers):
    configure_logging("gateway", "INFO", "text")

    logging.getLogger("gateway").info("ready")
    stop_logging()

    assert capsys.readouterr().out.strip().endswith("INFO gateway [-] gateway: ready")
