from erp_shared.messaging import messaging_metadata
from erp_shared.migrate import run_migrations
from inventory.db import metadata

run_migrations([metadata, messaging_metadata])
