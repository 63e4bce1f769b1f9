"""The analytics worker: `python -m analytics.worker`."""

from analytics.handlers import HANDLERS
from erp_shared.worker import run_worker

if __name__ == "__main__":
    run_worker("analytics", HANDLERS)
