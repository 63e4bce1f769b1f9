"""Read a service's /metrics as Prometheus would, for tests that check what it counts."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(client, name: str, **labels) -> float:
    """The value of one series on the app's /metrics (0 when it has not appeared yet)."""
    text = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0
