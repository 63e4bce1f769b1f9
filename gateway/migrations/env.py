from erp_shared.migrate import run_migrations
from gateway.db import metadata

run_migrations([metadata])
