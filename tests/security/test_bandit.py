"""bandit finds nothing of medium severity or worse in the code that ships (tests aside);
a finding that is deliberate says why beside its `# nosec`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).parent / "bandit"
SHIPPED = [
    "shared/erp_shared",
    "gateway/gateway",
    *sorted(str(app.parent.relative_to(REPO)) for app in REPO.glob("services/*/*/app.py")),
]


def test_bandit_reports_no_medium_or_high_finding():
    if not BANDIT.exists():
        pytest.fail("bandit is not installed: `make test` installs it from requirements-dev.txt")
    run = subprocess.run(
        [str(BANDIT), "-q", "-r", "-ll", *SHIPPED], cwd=REPO, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(SHIPPED) == 6
