from erp_shared.migrate import run_migrations
from inventory.tables import schema

run_migrations(schema)
