"""Schemathesis (all checks; examples, coverage, fuzzing and stateful phases) over every
operation of the API document, against the running system seeded with records: no check
fails. A small round; `make fuzz` runs a larger one."""

from __future__ import annotations

import pytest

from erp_testing.fuzz import run_schemathesis
from erp_testing.system import running_system

pytestmark = pytest.mark.e2e

EXAMPLES = 5


def test_no_schemathesis_check_fails(tmp_path, amqp_url):
    with running_system(
        tmp_path / "system",
        amqp_url,
        GATEWAY_RATE_LIMIT="100000/minute",
        GATEWAY_LOGIN_RATE_LIMIT="100000/minute",
        GATEWAY_EXPENSIVE_RATE_LIMIT="100000/minute",
    ) as system:
        run = run_schemathesis(system, tmp_path, EXAMPLES)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "✅ Stateful" in run.stdout
