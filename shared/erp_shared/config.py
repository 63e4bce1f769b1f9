"""Settings read from the environment.

Every process (HTTP app, worker, migration run) builds one `Settings` at start-up, never at
import, so tests and gunicorn's forked workers each see the environment they were given.
Defaults let `make up` run the whole system on one machine with SQLite files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_PORTS = {"gateway": 8080, "crm": 8081, "orders": 8082, "inventory": 8083, "analytics": 8084}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str
    bus_prefix: str = ""
    environment: str = "development"
    jwt_secret: str | None = None
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "erp-gateway"
    delivery_limit: int = 5
    prefetch: int = 50
    relay_batch: int = 200
    relay_idle_seconds: float = 0.05

    @property
    def exchange(self) -> str:
        return f"{self.bus_prefix}erp.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.bus_prefix}erp.events.dlx"

    @property
    def queue(self) -> str:
        return f"{self.bus_prefix}{self.service}.events"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls, service: str, uses_broker: bool = True, **overrides) -> Settings:
        """Read `<SERVICE>_DATABASE_URL` first, then `DATABASE_URL`, so one shell can run all."""
        prefix = service.upper()
        environment = _env("ERP_ENV", "development")
        database_url = _env(f"{prefix}_DATABASE_URL") or _env("DATABASE_URL")
        amqp_url = _env("AMQP_URL")
        if environment != "development" and not (database_url and (amqp_url or not uses_broker)):
            # Outside development a forgotten variable must stop the process, not quietly
            # point it at an empty local SQLite file or a broker on localhost.
            raise RuntimeError(
                f"{prefix}_DATABASE_URL (or DATABASE_URL) and AMQP_URL must be set when "
                f"ERP_ENV={environment}"
            )
        var_dir = _env("ERP_VAR_DIR", "var")
        values = dict(
            service=service,
            database_url=database_url or f"sqlite:///{var_dir}/{service}.db",
            amqp_url=amqp_url or DEFAULT_AMQP_URL,
            bus_prefix=_env("ERP_BUS_PREFIX", ""),
            environment=environment,
            jwt_secret=_env("ERP_JWT_SECRET"),
            delivery_limit=int(_env("ERP_DELIVERY_LIMIT", "5")),
        )
        values.update(overrides)
        return cls(**values)
