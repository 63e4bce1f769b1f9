"""Every test folder shares the broker, database and token fixtures of erp_testing."""

pytest_plugins = ["erp_testing.plugin"]
