"""Grafana's dashboards, checked offline: each file is a dashboard Grafana can load, on the
provisioned Prometheus datasource, laid out without overlaps, and every panel reads series
the services expose (deploy/prometheus/metrics.yml) or the recording rules make."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from promql_names import ROOT, unknown

GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCE_UID = "erp-prometheus"


def panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found += panel.get("panels", [])
    return found


def expressions(dashboard: dict) -> list[tuple[str, str]]:
    """(panel title, expression) of every query, templating's included."""
    found = [
        (panel["title"], target["expr"])
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]["query"]
            found.append(
                (f"${variable['name']}", query.removeprefix("label_values(").split(",")[0])
            )
    return found


@pytest.fixture(scope="module", params=DASHBOARDS, ids=lambda path: path.name)
def dashboard(request) -> dict:
    return json.loads(Path(request.param).read_text())


def test_both_dashboards_are_there():
    assert {path.name for path in DASHBOARDS} == {"golden-signals.json", "business.json"}


def test_dashboard_has_its_own_uid_and_reads_the_provisioned_datasource(dashboard):
    assert dashboard["uid"].startswith("erp-") and dashboard["title"]
    for panel in panels(dashboard):
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == DATASOURCE_UID, panel["title"]
            assert panel["targets"], panel["title"]


def test_every_panel_reads_known_series(dashboard):
    for title, expr in expressions(dashboard):
        assert unknown(expr) == set(), f"{title}: {expr}"


def test_panels_do_not_overlap(dashboard):
    taken = {}
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in taken, f"{panel['title']} overlaps {taken[(x, y)]}"
                taken[(x, y)] = panel["title"]


def test_uids_are_unique():
    uids = [json.loads(path.read_text())["uid"] for path in DASHBOARDS]
    assert len(uids) == len(set(uids))


def test_provisioning_loads_the_dashboards_folder_compose_mounts():
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "erp.yml").read_text())
    (provider,) = provider["providers"]
    assert provider["type"] == "file"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert (
        "./deploy/grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro" in mounts
    )


def test_golden_signals_cover_traffic_errors_latency_and_saturation():
    golden = json.loads((GRAFANA / "dashboards" / "golden-signals.json").read_text())
    read = " ".join(expr for _, expr in expressions(golden))
    for series in (
        "service:erp_http_requests:rate5m",
        "service:erp_http_error_ratio:rate5m",
        "service:erp_http_request_duration_seconds:p50_rate5m",
        "service:erp_http_request_duration_seconds:p99_rate5m",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
    ):
        assert series in read, series


def test_business_kpis_are_all_charted():
    business = json.loads((GRAFANA / "dashboards" / "business.json").read_text())
    read = " ".join(expr for _, expr in expressions(business))
    for series in (
        "service_channel:erp_orders_placed:per_minute",
        "service_channel_outcome:erp_orders_decided:per_minute",
        "service:erp_reservation_conflicts:per_minute",
        "erp_stockouts_total",
        "erp_invoices_issued_total",
        "erp_outbox_oldest_age_seconds",
        "erp_dead_letters",
        "erp_tickets_overdue",
        "erp_forecast_backtest_mape",
    ):
        assert series in read, series


def test_a_panel_reading_an_unknown_series_is_caught():
    business = json.loads((GRAFANA / "dashboards" / "business.json").read_text())
    panel = next(panel for panel in panels(business) if panel.get("targets"))
    panel["targets"][0]["expr"] = "sum(rate(erp_orders_shipped_total[5m]))"
    assert any(unknown(expr) for _, expr in expressions(business))
