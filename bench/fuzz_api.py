"""Fuzz the whole API with schemathesis: the system on SQLite in a scratch folder, seeded
with records to aim at, then every operation of the gateway's document with all checks and
all four phases, as an admin (erp_testing.fuzz).

`make fuzz` runs it (or `.venv/bin/python bench/fuzz_api.py [max-examples] [phases]`).
Prints schemathesis's report and keeps its JUnit file under var/; exits non-zero when any
check failed. `make test` runs a smaller round (tests/security/test_fuzz_api.py).
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import broker_url
from erp_testing.fuzz import PHASES, run_schemathesis
from erp_testing.system import running_system

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    phases = sys.argv[2] if len(sys.argv) > 2 else PHASES
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"fuzz-{stamp}"
    scratch.mkdir(parents=True)
    with running_system(
        scratch / "system",
        broker_url(),
        GATEWAY_RATE_LIMIT="100000/minute",
        GATEWAY_LOGIN_RATE_LIMIT="100000/minute",
        GATEWAY_EXPENSIVE_RATE_LIMIT="100000/minute",
    ) as system:
        run = run_schemathesis(
            system, scratch, examples, phases, REPO / "var" / f"fuzz-report-{stamp}"
        )
    print(run.stdout, run.stderr, sep="\n")
    shutil.rmtree(scratch, ignore_errors=True)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
