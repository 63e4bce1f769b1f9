from crm.db import metadata
from erp_shared.messaging import messaging_metadata
from erp_shared.migrate import run_migrations

run_migrations([metadata, messaging_metadata])
