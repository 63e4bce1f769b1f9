"""Every test folder shares the broker, database and token fixtures of erp_shared.testing."""

pytest_plugins = ["erp_shared.testing"]
