"""Test fixtures and helpers every test folder shares (a pytest plugin: see conftest.py).

Tests use the real broker and databases, isolated per test.

Broker and PostgreSQL come from the environment (AMQP_URL, TEST_POSTGRES_URL), defaulting to
this machine's servers; where those do not answer and a Docker engine does, throwaway ones are
started with testcontainers. Each test gets its own exchange/queue prefix and its own database, so
two runs (or two tests) never see each other's messages or rows. A server that cannot be
reached fails the test with a message saying which; nothing is skipped.
"""

from __future__ import annotations

import importlib
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pika
import psycopg
import pytest
from sqlalchemy.engine import make_url

from erp_shared.bus import Consumer
from erp_shared.config import DEFAULT_AMQP_URL, Settings
from erp_shared.db import make_engine
from erp_shared.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TEST_SECRET = "test-signing-secret-" + "x" * 32
RUN_ID = uuid.uuid4().hex[:8]
_containers: list = []


def broker_url() -> str:
    return os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlsplit(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or default_port), 2).close()
        return True
    except OSError:
        return False


def _docker_engine() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def pytest_configure(config):
    """Where no broker or database answers but a Docker engine does, start throwaway ones
    (testcontainers) and point the whole run, subprocesses included, at them."""
    need_broker = not _answers(broker_url(), 5672)
    need_postgres = not _answers(postgres_url(), 5432)
    if not (need_broker or need_postgres) or not _docker_engine():
        return
    if need_broker:
        from testcontainers.rabbitmq import RabbitMqContainer

        rabbit = RabbitMqContainer("rabbitmq:3.13").start()
        _containers.append(rabbit)
        port = rabbit.get_exposed_port(5672)
        os.environ["AMQP_URL"] = f"amqp://guest:guest@{rabbit.get_container_host_ip()}:{port}/%2F"
    if need_postgres:
        from testcontainers.postgres import PostgresContainer

        postgres = PostgresContainer("postgres:16", driver=None).start()
        _containers.append(postgres)
        os.environ["TEST_POSTGRES_URL"] = postgres.get_connection_url()


def pytest_unconfigure(config):
    while _containers:
        _containers.pop().stop()


@pytest.fixture(scope="session")
def amqp_url() -> str:
    url = broker_url()
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except Exception as exc:
        pytest.fail(f"RabbitMQ is not reachable at {url} (set AMQP_URL): {exc}")
    return url


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = postgres_url()
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable at {url} (set TEST_POSTGRES_URL): {exc}")
    return url


class Databases:
    """Creates throwaway databases (PostgreSQL or SQLite files) and drops them afterwards."""

    def __init__(self, request, directory: Path):
        self.request = request
        self.directory = directory
        self.admin_url: str | None = None
        self.created: list[str] = []

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.directory / unique('db-')}.db"
        self.admin_url = self.request.getfixturevalue("postgres_admin_url")
        name = f"erp_test_{RUN_ID}_{unique()}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(request, tmp_path):
    created = Databases(request, tmp_path)
    yield created
    if created.created:
        created.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def migrated_engine(package: str, url: str):
    upgrade(package, url)
    return make_engine(url)


def service_app(package: str, database_url: str, amqp_url: str | None = None, prefix: str = ""):
    """A service's real Flask app on a freshly migrated database."""
    upgrade(package, database_url)
    create_app = importlib.import_module(f"{package}.app").create_app
    app = create_app(settings_for(package, database_url, amqp_url, prefix))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def bus_prefix(amqp_url):
    prefix = f"test-{RUN_ID}-{unique()}."
    yield prefix
    delete_topology(amqp_url, prefix)


def delete_topology(amqp_url: str, prefix: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for service in ("crm", "orders", "inventory", "analytics", "probe"):
        for queue in (f"{prefix}{service}.events", f"{prefix}{service}.events.dlq"):
            channel.queue_delete(queue)
    channel.exchange_delete(f"{prefix}erp.events")
    channel.exchange_delete(f"{prefix}erp.events.dlx")
    connection.close()


def settings_for(service: str, database_url: str, amqp_url: str | None = None, prefix: str = ""):
    return Settings(
        service=service,
        database_url=database_url,
        amqp_url=amqp_url or broker_url(),
        bus_prefix=prefix,
        jwt_secret=TEST_SECRET,
        delivery_limit=3,
    )


def bearer(roles=("admin",), subject: str = "tester") -> dict:
    now = int(time.time())
    token = jwt.encode(
        {"sub": subject, "roles": list(roles), "iss": "erp-gateway", "iat": now, "exp": now + 600},
        TEST_SECRET,
        algorithm="HS256",
    )
    return {"Authorization": f"Bearer {token}"}


def wait_until(condition, timeout: float = 10.0, interval: float = 0.05):
    """Poll until `condition()` is truthy; returns its value or fails with the last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)


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
