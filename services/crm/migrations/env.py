from crm.tables import schema, unmanaged
from erp_shared.migrate import run_migrations

run_migrations(schema, unmanaged)
