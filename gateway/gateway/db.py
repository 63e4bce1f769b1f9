"""Users: the only SQL of the gateway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert, insert_unique
from erp_shared.errors import Conflict
from gateway.identity import FailedSignIns, User
from gateway.tables import audit_log, failed_sign_ins, refresh_tokens, users

_COLUMNS = (
    "id",
    "username",
    "password_hash",
    "roles",
    "customer_id",
    "active",
    "created_at",
)


def _user(conn: Connection, condition) -> User | None:
    row = conn.execute(select(*(users.c[name] for name in _COLUMNS)).where(condition)).first()
    return None if row is None else User(**{name: getattr(row, name) for name in _COLUMNS})


def user_by_name(conn: Connection, username: str) -> User | None:
    return _user(conn, users.c.username == username)


def user_by_id(conn: Connection, user_id: str) -> User | None:
    return _user(conn, users.c.id == user_id)


def add_user(conn: Connection, user: User) -> None:
    insert_unique(
        conn,
        users.insert().values({name: getattr(user, name) for name in _COLUMNS}),
        Conflict(f"User {user.username} already exists.", {"username": ["Already taken."]}),
    )


def page_of_users(conn: Connection, offset: int, limit: int) -> tuple[list[User], int]:
    total = conn.execute(select(func.count()).select_from(users)).scalar_one()
    rows = conn.execute(
        select(*(users.c[name] for name in _COLUMNS))
        .order_by(users.c.username)
        .offset(offset)
        .limit(limit)
    )
    return [User(**row._asdict()) for row in rows], total


def failed_sign_ins_from(conn: Connection, username: str, address: str) -> FailedSignIns | None:
    row = conn.execute(
        select(failed_sign_ins.c.count, failed_sign_ins.c.last_at).where(
            failed_sign_ins.c.username == username, failed_sign_ins.c.address == address
        )
    ).first()
    return None if row is None else FailedSignIns(row.count, row.last_at)


def count_failed_sign_in(
    conn: Connection, username: str, address: str, at: datetime, forgotten_before: datetime
) -> None:
    """One more wrong password, counted by the database itself, so wrong passwords sent at
    once are all counted; a count whose last failure is older than `forgotten_before`
    starts again at one."""
    table = failed_sign_ins
    statement = dialect_insert(conn)(table).values(
        username=username, address=address, count=1, last_at=at
    )
    counted = case((table.c.last_at < forgotten_before, 1), else_=table.c.count + 1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.username, table.c.address],
            set_={"count": counted, "last_at": at},
        )
    )


def forget_failed_sign_ins(conn: Connection, username: str, address: str | None = None) -> None:
    """After a good password (from that address), or a reset by an admin (from anywhere)."""
    where = [failed_sign_ins.c.username == username]
    if address is not None:
        where.append(failed_sign_ins.c.address == address)
    conn.execute(delete(failed_sign_ins).where(*where))


def _fitted(entry: dict) -> dict:
    """Each text cut to its column: a value the database refuses (PostgreSQL checks
    lengths, SQLite does not) would lose the whole entry, and the caller chooses most of
    them (the request id, the path, the username tried)."""
    return {
        name: value[: audit_log.c[name].type.length] if isinstance(value, str) else value
        for name, value in entry.items()
    }


def open_audit_entry(conn: Connection, entry: dict) -> int:
    """The entry of a write about to be done, its outcome still unknown (status null)."""
    return conn.execute(audit_log.insert().values(_fitted(entry))).inserted_primary_key[0]


def close_audit_entry(conn: Connection, entry_id: int, status: int, target: str | None) -> None:
    """The outcome of an open entry: the only change the append-only trail allows."""
    conn.execute(
        update(audit_log)
        .where(audit_log.c.id == entry_id)
        .values(_fitted({"status": status, "target": target}))
    )


def record_write(conn: Connection, entry: dict) -> None:
    conn.execute(audit_log.insert().values(_fitted(entry)))


def audit_page(conn: Connection, filters: dict, offset: int, limit: int) -> tuple[list, int]:
    """Entries newest first, narrowed by actor, method, path prefix and time."""
    where = []
    if filters.get("actor"):
        where.append(audit_log.c.actor == filters["actor"])
    if filters.get("method"):
        where.append(audit_log.c.method == filters["method"])
    if filters.get("path"):
        where.append(audit_log.c.path.startswith(filters["path"], autoescape=True))
    if filters.get("since"):
        where.append(audit_log.c.at >= filters["since"])
    if filters.get("until"):
        where.append(audit_log.c.at < filters["until"])
    total = conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
    rows = conn.execute(
        select(audit_log)
        .where(*where)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [row._asdict() for row in rows], total


def change_user(conn: Connection, user_id: str, values: dict) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def add_refresh_token(conn: Connection, row: dict) -> None:
    conn.execute(refresh_tokens.insert().values(**row))


def refresh_token(conn: Connection, digest: str):
    """The stored refresh token, locked so two refreshes with it cannot both succeed."""
    query = select(refresh_tokens).where(refresh_tokens.c.digest == digest).with_for_update()
    return conn.execute(query).first()


def use_up_refresh_token(conn: Connection, digest: str, at) -> None:
    conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.digest == digest, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at, used_at=at)
    )


def revoke_refresh_tokens(conn: Connection, at, *, digest=None, user_id=None) -> None:
    condition = refresh_tokens.c.digest == digest if digest else refresh_tokens.c.user_id == user_id
    conn.execute(
        update(refresh_tokens)
        .where(condition, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
