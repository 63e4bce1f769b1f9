"""/metrics names every route, how often it fails and what the business does: only the
bearer of ERP_METRICS_TOKEN (Prometheus) reads it, and outside development no app starts
without that token."""

from __future__ import annotations

from dataclasses import replace

import pytest

from erp_testing import service_app, settings_for
from orders.app import create_app

pytestmark = pytest.mark.integration

TOKEN = "scrape-token-for-tests"


def test_only_the_metrics_token_reads_metrics(databases):
    client = service_app("orders", databases.new("sqlite"), metrics_token=TOKEN).test_client()
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": TOKEN}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert "erp_" not in refused.text
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200 and "erp_http_requests_total" in scraped.text


def test_outside_development_an_app_needs_a_metrics_token(databases):
    settings = replace(settings_for("orders", databases.new("sqlite")), environment="production")
    with pytest.raises(RuntimeError, match="ERP_METRICS_TOKEN"):
        create_app(settings)
