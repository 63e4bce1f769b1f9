"""Settings: development runs with defaults, production refuses to guess."""

import pytest

from erp_shared.config import Settings
from erp_shared.web import create_service_app


def test_development_defaults_to_a_sqlite_file_and_a_local_broker(monkeypatch):
    for name in ("ERP_ENV", "DATABASE_URL", "ORDERS_DATABASE_URL", "AMQP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ERP_VAR_DIR", "/srv/erp")
    settings = Settings.from_env("orders")
    assert settings.database_url == "sqlite:////srv/erp/orders.db"
    assert settings.queue == "orders.events" and settings.exchange == "erp.events"


def test_production_needs_the_database_and_broker_spelled_out(monkeypatch):
    monkeypatch.setenv("ERP_ENV", "production")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ORDERS_DATABASE_URL", "postgresql://db/orders")
    monkeypatch.delenv("AMQP_URL", raising=False)
    with pytest.raises(RuntimeError, match="AMQP_URL"):
        Settings.from_env("orders")
    assert Settings.from_env("orders", uses_broker=False).database_url == "postgresql://db/orders"


def test_a_service_without_the_gateway_s_public_keys_refuses_to_start(tmp_path):
    settings = Settings(
        service="orders",
        database_url=f"sqlite:///{tmp_path}/x.db",
        amqp_url="amqp://localhost",
    )
    with pytest.raises(RuntimeError, match="ERP_JWKS_URL"):
        create_service_app("orders", title="Orders", settings=settings)
