"""The crm worker: `python -m crm.worker`."""

from crm.handlers import HANDLERS
from erp_shared.worker import run_worker

if __name__ == "__main__":
    run_worker("crm", HANDLERS)
