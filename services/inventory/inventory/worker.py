"""The inventory worker: `python -m inventory.worker`."""

from datetime import timedelta

from erp_shared.worker import Chore, run_worker
from inventory.handlers import HANDLERS
from inventory.reservations.service import expire_holds
from inventory.settings import settings_from_env

EXPIRE_HOLDS = Chore(
    "expire holds",
    30.0,
    lambda uow, settings: expire_holds(uow, timedelta(minutes=settings.hold_minutes)),
)

if __name__ == "__main__":
    run_worker(settings_from_env(), HANDLERS, chores=(EXPIRE_HOLDS,))
