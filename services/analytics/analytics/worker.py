"""The analytics worker: `python -m analytics.worker`."""

from analytics.forecast.catalogue import work_on_runs
from analytics.handlers import HANDLERS
from analytics.rfm.service import assign_segments
from analytics.settings import settings_from_env
from erp_shared.worker import Chore, Job, run_worker

# Segments move with the calendar as well as with orders: recompute them every ten minutes.
ASSIGN_SEGMENTS = Chore("assign rfm segments", 600.0, assign_segments)
# A requested catalogue forecast starts within seconds.
FORECAST_CATALOGUE = Job("forecast catalogue", 3.0, work_on_runs)

if __name__ == "__main__":
    run_worker(settings_from_env(), HANDLERS, chores=(ASSIGN_SEGMENTS, FORECAST_CATALOGUE))
