"""Database plumbing every service shares: engines, column types, the messaging tables.

SQLite is the embedded default and PostgreSQL the production store; both must give the same
guarantees. On SQLite every writing transaction starts with `BEGIN IMMEDIATE`, so two
writers serialise at the start instead of failing on lock upgrade mid-way; WAL keeps
readers off the writer's back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    DateTime,
    create_engine,
    event,
    or_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from erp_shared.errors import Conflict

MONEY_SCALE = 10_000


class Money(TypeDecorator):
    """Decimal amounts kept as integer ten-thousandths: exact on SQLite, summable in SQL."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(value) * MONEY_SCALE).to_integral_value())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / MONEY_SCALE).quantize(Decimal("0.0001"))


class UtcDateTime(TypeDecorator):
    """Timestamps are always aware UTC in Python, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware times")
        return (
            value.astimezone(UTC)
            if dialect.name != "sqlite"
            else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        _create_for_owner_only(path)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy so the "begin" hook below decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        readonly = conn.get_execution_options().get("readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def _create_for_owner_only(path: str) -> None:
    """Make the database file readable by its owner only before SQLite opens it: SQLite
    gives its journal, WAL and shared-memory files the database file's mode, so they follow.
    A file an earlier version left readable by others is closed too. A folder made here is
    the owner's alone; an existing one (perhaps /tmp) is left as it is."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def dialect_insert(conn: Connection):
    """The INSERT that knows ON CONFLICT for this backend (both speak the same upsert)."""
    return insert_for(conn.dialect.name)


def insert_for(dialect: str):
    """The INSERT that knows ON CONFLICT for the database named (a statement built once)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def built_once(build: Callable[[Callable], Executable]) -> Callable[[Connection], Executable]:
    """A statement run on every order or reservation, built once per database dialect and
    given its values as bound parameters at each call: on SQLite, building a SQLAlchemy
    statement costs more than running it. `build` receives the dialect's INSERT (for upserts).
    """
    built: dict[str, Executable] = {}

    def statement(conn: Connection) -> Executable:
        dialect = conn.dialect.name
        if dialect not in built:
            built[dialect] = build(insert_for(dialect))
        return built[dialect]

    return statement


def insert_unique(conn: Connection, statement: Executable, taken: Conflict) -> None:
    """Insert a row whose unique key may already exist, and refuse with `taken` if it does.

    The unique index decides, not an earlier look-up, so two concurrent requests for the same
    key cannot both succeed. The transaction is spoiled afterwards and must roll back, which
    raising the refusal does.
    """
    try:
        conn.execute(statement)
    except IntegrityError:
        raise taken from None


@contextmanager
def read_only(engine: Engine):
    """A transaction that only reads: on SQLite it does not take the write lock."""
    with engine.connect().execution_options(readonly=True) as conn, conn.begin():
        yield conn


def contains(text: str, *columns):
    """Rows where any of `columns` holds `text`, in any case; LIKE's wildcards typed by a user
    are taken literally (searching "10%" finds "10%", not everything)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))
