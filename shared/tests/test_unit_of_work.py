"""The unit of work saves every aggregate it handed out and sends what each recorded, at the
commit; a failure saves and sends nothing, and a savepoint that fails takes back what it was
handed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from erp_shared.db import make_engine
from erp_shared.messaging import messaging_metadata, outbox
from erp_shared.uow import UnitOfWork


@dataclass
class Account:
    """A stand-in aggregate: erasing it records customer.erased."""

    id: str
    erased: bool = False
    pending_events: list = field(default_factory=list)

    def erase(self) -> None:
        self.erased = True
        self.pending_events.append(("customer.erased", {"customer_id": self.id}))


class Accounts:
    """A stand-in repository keeping copies, as rows would be."""

    def __init__(self):
        self.rows: dict[str, bool] = {}
        self.saves = 0

    def get(self, conn, key, **options):
        return Account(key, self.rows[key]) if key in self.rows else None

    def add(self, conn, account: Account) -> None:
        self.rows[account.id] = account.erased

    def save(self, conn, account: Account) -> None:
        if self.rows[account.id] != account.erased:
            self.rows[account.id] = account.erased
            self.saves += 1


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    messaging_metadata.create_all(engine)
    yield engine
    engine.dispose()


def sent(engine) -> list[str]:
    with engine.connect() as conn:
        return [row.type for row in conn.execute(select(outbox.c.type).order_by(outbox.c.id))]


def test_what_a_use_case_changed_is_saved_and_announced_at_the_commit(engine):
    accounts = Accounts()
    with UnitOfWork(engine, "crm") as uow:
        uow.add(accounts, Account("ada"))
    with UnitOfWork(engine, "crm") as uow:
        uow.load(accounts, "ada").erase()
        assert accounts.rows["ada"] is False  # not before the commit
    assert accounts.rows == {"ada": True} and accounts.saves == 1
    assert sent(engine) == ["customer.erased"]
    with UnitOfWork(engine, "crm") as uow:
        assert uow.load(accounts, "nobody") is None


def test_a_failed_use_case_saves_and_sends_nothing(engine):
    accounts = Accounts()
    accounts.rows["ada"] = False
    with pytest.raises(RuntimeError), UnitOfWork(engine, "crm") as uow:
        uow.load(accounts, "ada").erase()
        raise RuntimeError("refused")
    assert accounts.rows == {"ada": False}
    assert sent(engine) == []


def test_a_failed_savepoint_takes_back_what_it_was_handed_and_a_good_one_saves_at_its_end(engine):
    accounts = Accounts()
    accounts.rows.update(ada=False, bob=False)
    with UnitOfWork(engine, "crm") as uow:
        with pytest.raises(RuntimeError), uow.savepoint():
            uow.load(accounts, "ada").erase()
            raise RuntimeError("refused")
        with uow.savepoint():
            uow.load(accounts, "bob").erase()
        assert accounts.rows["bob"] is True  # read back by what comes next
    assert accounts.rows == {"ada": False, "bob": True}
    assert sent(engine) == ["customer.erased"]


def test_a_failed_savepoint_leaves_nothing_of_an_aggregate_handed_out_before_it(engine):
    """A consumer's lot: the first event loads an aggregate, a later one changes it and is
    refused. The refused change is neither saved nor sent, and the next event reads the
    aggregate as stored."""
    accounts = Accounts()
    accounts.rows["ada"] = False
    with UnitOfWork(engine, "crm") as uow:
        with uow.savepoint():
            earlier = uow.load(accounts, "ada")
        with pytest.raises(RuntimeError), uow.savepoint():
            uow.load(accounts, "ada").erase()
            raise RuntimeError("refused")
        with uow.savepoint():
            later = uow.load(accounts, "ada")
        assert later is not earlier and later.erased is False
    assert accounts.rows == {"ada": False}
    assert sent(engine) == []


def test_an_aggregate_asked_for_twice_is_the_same_object(engine):
    accounts = Accounts()
    accounts.rows["ada"] = False
    with UnitOfWork(engine, "crm") as uow:
        first = uow.load(accounts, "ada")
        first.erase()
        assert uow.load(accounts, "ada") is first
        locked = uow.load(accounts, "ada", for_update=True)
        assert locked.erased and accounts.rows["ada"] is True  # saved, then read locked
    assert sent(engine) == ["customer.erased"]
