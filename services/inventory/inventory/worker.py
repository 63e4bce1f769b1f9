"""The inventory worker: `python -m inventory.worker`."""

from erp_shared.worker import run_worker
from inventory.handlers import HANDLERS

if __name__ == "__main__":
    run_worker("inventory", HANDLERS)
