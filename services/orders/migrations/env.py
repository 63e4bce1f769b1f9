from erp_shared.migrate import run_migrations
from orders.tables import schema

run_migrations(schema)
