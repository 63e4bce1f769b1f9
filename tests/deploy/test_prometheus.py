"""Prometheus, checked offline with promtool (Debian's `prometheus` package): both scrape
configurations, the recording and alert rules, and the rules' unit tests, which prove each
alert fires on its condition and stays silent on what comes close. A copy with a broken rule
shows the checks fail."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from promql_names import PROMETHEUS, ROOT, rule_groups, unknown

CONFIGS = ["prometheus.yml", "prometheus-k8s.yml"]
RULE_FILES = sorted(path.name for path in (PROMETHEUS / "rules").glob("*.yml"))
UNIT_TESTS = sorted(path.name for path in (PROMETHEUS / "tests").glob("*.yml"))
OPERATIONS = ROOT / "docs" / "operations.md"


def run(promtool: str, *args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess:
    return subprocess.run(
        [promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def alerts() -> list[dict]:
    return [rule for group in rule_groups() for rule in group["rules"] if "alert" in rule]


def jobs_of(config: str, folder: Path = PROMETHEUS) -> dict[str, dict]:
    return {
        job["job_name"]: job
        for job in yaml.safe_load((folder / config).read_text())["scrape_configs"]
    }


# Debian's promtool is built without Kubernetes service discovery: it refuses
# kubernetes_sd_configs as an unknown field. Against such a promtool, the configuration is
# checked with a static target in place of each job's Kubernetes discovery; everything else
# of the job (its relabelling, honor_labels) is checked as written, and
# test_the_databases_are_found_through_the_kubernetes_api checks the discovery itself.
NO_KUBERNETES_DISCOVERY = "field kubernetes_sd_configs not found"


def without_kubernetes_discovery(text: str) -> str:
    config = yaml.safe_load(text)
    for job in config["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["static_configs"] = [{"targets": ["kubernetes-discovery.invalid:9187"]}]
    return yaml.safe_dump(config, sort_keys=False)


@pytest.mark.parametrize("config", CONFIGS)
def test_scrape_configuration_is_valid_and_loads_every_rule_file(promtool, config, tmp_path):
    # promtool wants the metrics token's file to exist, as it will where Prometheus runs.
    folder = tmp_path / "prometheus"
    shutil.copytree(PROMETHEUS, folder)
    token = tmp_path / "metrics-token"
    token.write_text("a-token")
    path = jobs_of(config)["erp-app"]["authorization"]["credentials_file"]
    copy = folder / config
    copy.write_text(copy.read_text().replace(path, str(token)))
    checked = run(promtool, "check", "config", config, cwd=folder)
    if NO_KUBERNETES_DISCOVERY in checked.stdout + checked.stderr:
        copy.write_text(without_kubernetes_discovery(copy.read_text()))
        checked = run(promtool, "check", "config", config, cwd=folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # promtool names each rule file it loaded through the configuration's rule_files.
    for name in RULE_FILES:
        assert f"rules/{name}" in checked.stdout, f"{config} does not load rules/{name}"


def test_rule_files_are_valid(promtool):
    checked = run(promtool, "check", "rules", *(f"rules/{name}" for name in RULE_FILES))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_rule_unit_tests_pass(promtool):
    tested = run(promtool, "test", "rules", *(f"tests/{name}" for name in UNIT_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_firing_and_a_silent_unit_test():
    firing, silent = set(), set()
    for name in UNIT_TESTS:
        for group in yaml.safe_load((PROMETHEUS / "tests" / name).read_text())["tests"]:
            for case in group.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else silent).add(case["alertname"])
    names = {rule["alert"] for rule in alerts()}
    heartbeats = {rule["alert"] for rule in alerts() if rule["labels"]["severity"] == "heartbeat"}
    assert names - firing == set(), "alerts never shown to fire"
    assert names - heartbeats - silent == set(), "alerts never shown to stay silent"
    assert (firing | silent) - names == set(), "unit tests of alerts that do not exist"


def test_the_issue_asks_for_these_alerts():
    assert {rule["alert"] for rule in alerts()} >= {
        "ErpHighErrorRate",
        "ErpHighLatency",
        "ErpDeadLetters",
        "ErpOutboxBacklogOld",
        "ErpConsumerDown",
        "ErpStockOut",
        "ErpTicketsOverdue",
    }


def test_the_production_review_asks_for_these_alerts():
    severities = {rule["alert"]: rule["labels"]["severity"] for rule in alerts()}
    assert {
        "ErpErrorBudgetBurnFast": "page",
        "ErpErrorBudgetBurnSlow": "ticket",
        "ErpBrokerResourceAlarm": "page",
        "ErpQueueBacklog": "ticket",
        "ErpDatabaseDown": "page",
        "ErpDatabaseReplicationLag": "ticket",
        "ErpDatabaseBackupOld": "ticket",
        "ErpRateLimitStoreDown": "ticket",
    }.items() <= severities.items()


def test_the_burn_rate_windows_compute_the_same_ratio_as_the_5m_one():
    """service:erp_http_error_ratio:rate<window> is the 5-minute rule over another window."""
    recorded = {
        rule["record"]: rule["expr"]
        for group in rule_groups()
        for rule in group["rules"]
        if "record" in rule
    }
    five_minutes = recorded["service:erp_http_error_ratio:rate5m"]
    for window in ("30m", "1h", "6h"):
        expr = recorded[f"service:erp_http_error_ratio:rate{window}"]
        assert expr == five_minutes.replace("[5m]", f"[{window}]"), window


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: rule["alert"])
def test_alert_says_what_is_wrong_and_where_its_runbook_is(alert):
    # heartbeat: the watchdog, always firing, routed to a dead man's switch.
    assert alert["labels"]["severity"] in ("page", "ticket", "heartbeat")
    annotations = alert["annotations"]
    assert annotations["summary"].strip() and annotations["description"].strip()
    anchor = alert["alert"].lower()
    assert annotations["runbook_url"] == f"docs/operations.md#{anchor}"
    headings = re.findall(r"^#+\s+(.+?)\s*$", OPERATIONS.read_text(), flags=re.MULTILINE)
    assert alert["alert"] in headings, f"docs/operations.md has no section {alert['alert']}"


def test_rules_read_only_known_series():
    for group in rule_groups():
        for rule in group["rules"]:
            name = rule.get("record") or rule["alert"]
            assert unknown(rule["expr"]) == set(), f"{name} reads series metrics.yml lacks"


def test_the_broker_queue_depths_are_scraped_per_queue():
    for config in CONFIGS:
        jobs = jobs_of(config)
        assert {"erp-app", "erp-worker", "rabbitmq", "rabbitmq-queues"} <= set(jobs), config
        assert jobs["rabbitmq-queues"]["metrics_path"] == "/metrics/per-object", config


def test_the_broker_alarms_are_scraped_from_each_nodes_aggregated_endpoint():
    """rabbitmq_alarms_* are on /metrics, which job rabbitmq scrapes unfiltered; the per-queue
    job keeps only queue series."""
    for config in CONFIGS:
        jobs = jobs_of(config)
        assert jobs["rabbitmq"].get("metrics_path", "/metrics") == "/metrics", config
        assert "metric_relabel_configs" not in jobs["rabbitmq"], config
        (keep,) = jobs["rabbitmq-queues"]["metric_relabel_configs"]
        assert not re.fullmatch(keep["regex"], "rabbitmq_alarms_memory_used_watermark"), config


def test_the_databases_are_found_through_the_kubernetes_api():
    """On Kubernetes only: every pod of a CloudNativePG cluster, by its exporter's port."""
    assert "cloudnative-pg" not in jobs_of("prometheus.yml")
    job = jobs_of("prometheus-k8s.yml")["cloudnative-pg"]
    (discovery,) = job["kubernetes_sd_configs"]
    assert discovery == {"role": "pod", "namespaces": {"own_namespace": True}}
    relabel = job["relabel_configs"]
    keeps = {
        tuple(rule["source_labels"]): rule["regex"]
        for rule in relabel
        if rule.get("action") == "keep"
    }
    assert keeps == {
        ("__meta_kubernetes_pod_label_cnpg_io_cluster",): ".+",
        (
            "__meta_kubernetes_pod_container_port_name",
            "__meta_kubernetes_pod_container_port_number",
        ): "metrics;9187",
    }
    # The rules read these target labels (the backup timestamps are grouped by cluster).
    targets = {
        rule["target_label"]: rule["source_labels"] for rule in relabel if "target_label" in rule
    }
    assert targets == {
        "namespace": ["__meta_kubernetes_namespace"],
        "pod": ["__meta_kubernetes_pod_name"],
        "cluster": ["__meta_kubernetes_pod_label_cnpg_io_cluster"],
    }


def test_the_apps_are_scraped_with_the_metrics_token_they_are_given():
    """The apps answer /metrics only to the bearer of ERP_METRICS_TOKEN (erp_shared.web)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["secrets"]["metrics-token"] == {"environment": "ERP_METRICS_TOKEN"}
    assert "metrics-token" in compose["services"]["prometheus"]["secrets"]
    for name in ("gateway", "crm", "orders", "inventory", "analytics"):
        assert compose["services"][name]["environment"]["ERP_METRICS_TOKEN"].startswith(
            "${ERP_METRICS_TOKEN:?"
        ), name
    scraped_with = jobs_of("prometheus.yml")["erp-app"]["authorization"]["credentials_file"]
    assert scraped_with == "/run/secrets/metrics-token"
    k8s = jobs_of("prometheus-k8s.yml")["erp-app"]["authorization"]["credentials_file"]
    assert k8s == "/etc/prometheus/secrets/erp-metrics-token/token"


@pytest.fixture
def prometheus_copy(tmp_path) -> Path:
    copy = tmp_path / "prometheus"
    shutil.copytree(PROMETHEUS, copy)
    return copy


def test_a_changed_threshold_fails_the_unit_tests(promtool, prometheus_copy):
    alerts_file = prometheus_copy / "rules" / "alerts.yml"
    text = alerts_file.read_text()
    assert "service:erp_http_error_ratio:rate5m > 0.05" in text
    alerts_file.write_text(
        text.replace(
            "service:erp_http_error_ratio:rate5m > 0.05",
            "service:erp_http_error_ratio:rate5m > 0.5",
        )
    )
    tested = run(promtool, "test", "rules", "tests/alerts.test.yml", cwd=prometheus_copy)
    assert tested.returncode != 0
    assert "ErpHighErrorRate" in tested.stdout + tested.stderr


def test_a_broken_expression_fails_the_rule_check(promtool, prometheus_copy):
    alerts_file = prometheus_copy / "rules" / "alerts.yml"
    alerts_file.write_text(
        alerts_file.read_text().replace(
            "max by (service) (erp_dead_letters)", "max by (service) (erp_dead_letters"
        )
    )
    checked = run(promtool, "check", "rules", "rules/alerts.yml", cwd=prometheus_copy)
    assert checked.returncode != 0
    assert "parse error" in (checked.stdout + checked.stderr).lower()


def test_an_unknown_series_is_caught():
    assert unknown('sum by (service) (rate(erp_orders_shipped_total{service="orders"}[5m]))') == {
        "erp_orders_shipped_total"
    }


def test_the_readme_lists_every_alert():
    readme = (ROOT / "README.md").read_text()
    for alert in alerts():
        assert f"| {alert['alert']} | {alert['labels']['severity']} |" in readme, alert["alert"]
