from crm.tables import schema
from erp_shared.migrate import run_migrations

run_migrations(schema)
