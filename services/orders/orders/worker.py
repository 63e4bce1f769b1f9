"""The orders worker: `python -m orders.worker`."""

from erp_shared.worker import run_worker
from orders.handlers import HANDLERS

if __name__ == "__main__":
    run_worker("orders", HANDLERS)
