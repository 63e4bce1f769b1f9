"""The crm worker: `python -m crm.worker`."""

from crm.handlers import HANDLERS
from crm.settings import settings_from_env
from crm.tickets.service import count_overdue
from erp_shared.worker import Chore, run_worker

COUNT_OVERDUE = Chore("count overdue tickets", 60.0, count_overdue)

if __name__ == "__main__":
    run_worker(settings_from_env(), HANDLERS, chores=(COUNT_OVERDUE,))
