"""Each app reads its own business settings in its own settings.py, through the helpers of
erp_shared.config; the shared Settings holds only what every app has."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

import pytest

from crm.settings import settings_from_env as crm_settings
from erp_shared.config import Settings
from gateway.settings import settings_from_env as gateway_settings
from inventory.settings import settings_from_env as inventory_settings
from orders.settings import settings_from_env as orders_settings


def test_orders_reads_its_tax_rates_seller_and_return_days(monkeypatch):
    monkeypatch.setenv("ORDERS_TAX_RATE", "0.2")
    monkeypatch.setenv("ORDERS_TAX_RATES", "books=0.05, food=0.07")
    monkeypatch.setenv("ORDERS_SELLER_NAME", "Acme")
    monkeypatch.setenv("ORDERS_RETURN_DAYS", "14")
    settings = orders_settings()
    assert settings.service == "orders" and settings.queue == "orders.events"
    assert settings.taxes.rate_for("books") == Decimal("0.05")
    assert settings.taxes.rate_for("tools") == Decimal("0.2")
    assert settings.seller["name"] == "Acme" and settings.return_days == 14


def test_a_setting_that_cannot_be_read_stops_the_process(monkeypatch):
    monkeypatch.setenv("ORDERS_TAX_RATES", "books:0.05")
    with pytest.raises(RuntimeError, match="category=rate"):
        orders_settings()
    monkeypatch.setenv("CRM_TICKET_SLA", "urgent=soon")
    with pytest.raises(RuntimeError, match="priority=first/resolution"):
        crm_settings()


def test_crm_inventory_and_the_gateway_read_theirs(monkeypatch):
    monkeypatch.setenv("CRM_TICKET_SLA", "urgent=2/6")
    monkeypatch.setenv("INVENTORY_HOLD_MINUTES", "45")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://a.example, ,https://b.example")
    monkeypatch.setenv("ORDERS_URL", "http://orders:8000")
    assert crm_settings().ticket_sla["urgent"] == (2, 6)
    assert crm_settings().ticket_sla["low"] == (24, 168)
    assert inventory_settings().hold_minutes == 45
    gateway = gateway_settings()
    assert gateway.cors_origins == ("https://a.example", "https://b.example")
    assert gateway.service_urls["orders"] == "http://orders:8000"


def test_the_shared_settings_hold_nothing_of_a_single_service():
    shared = {field.name for field in fields(Settings)}
    assert not shared & {"tax_rates", "seller", "ticket_sla", "hold_minutes", "service_urls"}
