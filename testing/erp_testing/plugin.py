"""The pytest plugin every test folder loads (see the repository's conftest.py).

Broker and PostgreSQL come from the environment (AMQP_URL, TEST_POSTGRES_URL), defaulting to
this machine's servers; where those do not answer and a Docker engine does, throwaway ones are
started with testcontainers. Each test gets its own exchange/queue prefix and its own database,
so two runs (or two tests) never see each other's messages or rows. A server that cannot be
reached fails the test with a message saying which; nothing is skipped.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pika
import psycopg
import pytest

from erp_testing import (
    RUN_ID,
    broker_url,
    create_database,
    delete_topology,
    drop_databases,
    postgres_url,
    unique,
)

_containers: list = []


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
        self.created.append(name)
        return create_database(self.admin_url, name)

    def drop_all(self) -> None:
        drop_databases(self.admin_url, self.created)


@pytest.fixture
def databases(request, tmp_path):
    created = Databases(request, tmp_path)
    yield created
    if created.created:
        created.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def bus_prefix(amqp_url):
    prefix = f"test-{RUN_ID}-{unique()}."
    yield prefix
    delete_topology(amqp_url, prefix)
