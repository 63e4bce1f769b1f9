"""The analytics worker: `python -m analytics.worker`."""

from analytics.handlers import HANDLERS
from analytics.rfm.service import assign_segments
from erp_shared.worker import Chore, run_worker

# Segments move with the calendar as well as with orders: recompute them every ten minutes.
ASSIGN_SEGMENTS = Chore("assign rfm segments", 600.0, assign_segments)

if __name__ == "__main__":
    run_worker("analytics", HANDLERS, chores=(ASSIGN_SEGMENTS,))
