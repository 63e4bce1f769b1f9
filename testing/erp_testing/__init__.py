"""Helpers for the ERP's tests: real broker and databases, isolated per test.

Installed by `make test` from testing/, never into an image. The pytest side (hooks and
fixtures) is erp_testing.plugin; starting the whole system is erp_testing.system.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import jwt
import pika
import psycopg
import pytest
from sqlalchemy.engine import make_url

from erp_shared.bus import Consumer
from erp_shared.config import DEFAULT_AMQP_URL, SERVICES, Settings
from erp_shared.db import make_engine
from erp_shared.events import new_event, parse_event
from erp_shared.migrate import upgrade
from gateway.keys import SigningKeys, new_key_file, publish

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TEST_KEY_ID = "test-key"
RUN_ID = uuid.uuid4().hex[:8]
# A pretend service for tests of the bus itself.
PROBE = "probe"


def broker_url() -> str:
    return os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def create_database(admin_url: str, name: str) -> str:
    """A new, empty PostgreSQL database; returns its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_databases(admin_url: str, names: list[str]) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_databases(prefix: str):
    """A maker of new PostgreSQL databases (a URL each), all dropped when the block ends."""
    admin_url, created = postgres_url(), []

    def new_database() -> str:
        name = f"{prefix}_{RUN_ID}_{unique()}"
        created.append(name)
        return create_database(admin_url, name)

    try:
        yield new_database
    finally:
        if created:
            drop_databases(admin_url, created)


@contextlib.contextmanager
def scratch_database(folder: Path, service: str, postgres: bool):
    """The URL of an empty database for one benchmark run: a new PostgreSQL database, or a
    SQLite file in `folder`; dropped, or the folder removed, when the block ends."""
    with throwaway_databases("erp_bench") as new_database:
        try:
            if postgres:
                yield new_database()
            else:
                folder.mkdir(parents=True)
                yield f"sqlite:///{folder / f'{service}.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def migrated_engine(package: str, url: str):
    upgrade(package, url)
    return make_engine(url)


def service_app(
    package: str, database_url: str, amqp_url: str | None = None, prefix: str = "", **settings
):
    """A service's real Flask app on a freshly migrated database; `settings` override."""
    upgrade(package, database_url)
    create_app = importlib.import_module(f"{package}.app").create_app
    app = create_app(settings_for(package, database_url, amqp_url, prefix, **settings))
    app.config["TESTING"] = True
    return app


def deliver(app, event_type: str, data: dict, producer: str = "test", occurred_at=None) -> dict:
    """Hand an event to a service's handler the way its consumer does: parsed, in one unit of
    work, with its id claimed. Returns the envelope."""
    envelope = new_event(event_type, data, producer=producer, occurred_at=occurred_at)
    service = app.extensions["erp_settings"].service
    handlers = importlib.import_module(f"{service}.handlers").HANDLERS
    Consumer(app.extensions["erp_engine"], app.extensions["erp_settings"], handlers).apply(
        [parse_event(envelope)]
    )
    return envelope


def delete_topology(amqp_url: str, prefix: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    queues = [f"{prefix}{service}.events" for service in (*SERVICES, PROBE)]
    # The gateway's webhook worker's (gateway.settings.GatewaySettings.queue).
    queues.append(f"{prefix}gateway.webhooks")
    for queue in queues:
        channel.queue_delete(queue)
        channel.queue_delete(f"{queue}.dlq")
    channel.exchange_delete(f"{prefix}erp.events")
    channel.exchange_delete(f"{prefix}erp.events.dlx")
    connection.close()


def settings_class(service: str) -> type[Settings]:
    """The service's own settings class (`<service>.settings.SETTINGS_CLASS`, which its
    settings_from_env builds); the common Settings for a pretend service that has none."""
    try:
        module = importlib.import_module(f"{service}.settings")
    except ModuleNotFoundError as missing:
        if missing.name not in (service, f"{service}.settings"):
            raise
        return Settings
    return module.SETTINGS_CLASS


def settings_for(
    service: str,
    database_url: str,
    amqp_url: str | None = None,
    prefix: str = "",
    **overrides,
):
    """The service's settings for a test, built without reading the environment."""
    return settings_class(service)(
        **{
            "service": service,
            "database_url": database_url,
            "amqp_url": amqp_url or broker_url(),
            "bus_prefix": prefix,
            "jwks_url": (keys_for_tests() / "jwks.json").as_uri(),
            "jwt_keys_dir": str(keys_for_tests()),
            "delivery_limit": 3,
            **overrides,
        }
    )


def months_back(count: int) -> list[date]:
    """The 15th of each of the last `count` whole months, oldest first: a monthly history
    that ends just before the month now running."""
    today = datetime.now(UTC).date()
    year, month, months = today.year, today.month, []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(date(year, month, 15))
    return list(reversed(months))


@functools.cache
def keys_for_tests() -> Path:
    """A folder holding the tests' signing key (TEST_KEY_ID.pem, for a gateway) and its
    public JWKS (jwks.json, for the services), made once per test session as the gateway's
    own key tooling makes them."""
    folder = Path(tempfile.mkdtemp(prefix="erp-test-keys-"))
    atexit.register(shutil.rmtree, folder, True)
    new_key_file(folder).rename(folder / f"{TEST_KEY_ID}.pem")
    publish(folder, folder / "jwks.json")
    return folder


def sign(claims: dict, key=None, headers=None) -> str:
    """A token signed with the tests' key (or `key`), as the gateway would sign it."""
    if key is None:
        key = SigningKeys.from_dir(keys_for_tests()).private[TEST_KEY_ID]
    return jwt.encode(
        claims, key, algorithm="EdDSA", headers={"kid": TEST_KEY_ID, **(headers or {})}
    )


def key_folder(folder: Path, *kids: str) -> Path:
    """A gateway's key folder holding a new private key under each key id, in that order (the
    last signs unless told otherwise), as rotations leave one."""
    for kid in kids:
        new_key_file(folder).rename(folder / f"{kid}.pem")
    return folder


def bearer_signed_with(folder: Path, kid: str, **extra_claims) -> dict:
    """An Authorization header with a token signed by the key `kid` of `folder`."""
    key = SigningKeys.from_dir(folder).private[kid]
    token = sign({**claims(), **extra_claims}, key=key, headers={"kid": kid})
    return {"Authorization": f"Bearer {token}"}


def claims(roles=("admin",), subject: str = "tester", customer_id=None, ttl: int = 600) -> dict:
    now = int(time.time())
    return {
        "sub": subject,
        "roles": list(roles),
        "customer_id": customer_id,
        "iss": "erp-gateway",
        "iat": now,
        "exp": now + ttl,
    }


def bearer(roles=("admin",), subject: str = "tester", customer_id=None) -> dict:
    return {"Authorization": f"Bearer {sign(claims(roles, subject, customer_id))}"}


def wait_for(condition, timeout: float, interval: float = 0.05):
    """Poll until `condition()` is truthy or `timeout` passes; its last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def wait_until(condition, timeout: float = 10.0, interval: float = 0.05):
    """Poll until `condition()` is truthy; returns its value or fails with the last one."""
    value = wait_for(condition, timeout, interval)
    if not value:
        pytest.fail(f"condition not met within {timeout}s (last value: {value!r})")
    return value


class RunningConsumer:
    """A service's consumer loop in a background thread, for as long as the `with` lasts."""

    def __init__(self, engine, settings, handlers):
        self.settings = settings
        self.consumer = Consumer(engine, self.settings, handlers)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.consumer.run, args=(self.stop,), daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.consumer.ready.wait(10), "consumer did not start"
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def publish_raw(amqp_url: str, exchange: str, routing_key: str, body: bytes) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(
        exchange,
        routing_key,
        body,
        pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
    )
    connection.close()


def queue_depth(amqp_url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    depth = connection.channel().queue_declare(queue, passive=True).method.message_count
    connection.close()
    return depth
