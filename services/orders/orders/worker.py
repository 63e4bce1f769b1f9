"""The orders worker: `python -m orders.worker`."""

from erp_shared.worker import run_worker
from orders.handlers import HANDLERS
from orders.settings import settings_from_env

if __name__ == "__main__":
    run_worker(settings_from_env(), HANDLERS)
