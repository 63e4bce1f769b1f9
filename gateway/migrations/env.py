from erp_shared.migrate import run_migrations
from gateway.tables import schema

run_migrations(schema)
