"""Fuzz the whole API with schemathesis: the system on SQLite in a scratch folder, then every
operation of the gateway's document with all checks, as an admin.

`make fuzz` runs it (or `.venv/bin/python bench/fuzz_api.py [max-examples] [phases]`).
Prints schemathesis's summary and keeps its JUnit report under var/; nothing is asserted:
the API does not pass every check yet (docs/security.md says which remain).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from erp_testing import broker_url
from erp_testing.system import running_system

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "10"
    phases = sys.argv[2] if len(sys.argv) > 2 else "examples,coverage,fuzzing,stateful"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = REPO / "var" / f"fuzz-{stamp}"
    scratch.mkdir(parents=True)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    if not schemathesis.exists():
        sys.exit("schemathesis is not installed: `make fuzz` installs requirements-dev.txt")
    with running_system(
        scratch / "system", broker_url(), GATEWAY_RATE_LIMIT="100000/minute"
    ) as system:
        run = subprocess.run(
            [
                str(schemathesis),
                "run",
                f"{system.gateway}/api/v1/openapi.json",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {system.token}",
                "--max-examples",
                examples,
                "--phases",
                phases,
                "--workers",
                "2",
                "--request-timeout",
                "10",
                "--report",
                "junit",
                "--report-dir",
                str(REPO / "var" / f"fuzz-report-{stamp}"),
            ],
            check=False,
        )
    shutil.rmtree(scratch, ignore_errors=True)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
