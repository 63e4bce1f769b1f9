"""The README's walk-through, pasted into a shell as a new user would, works on a fresh
system as it says: the order placed right after its customer is created is confirmed, the
one for 100 chairs is refused for stock, and the summary counts the first."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from erp_testing.system import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def walk_through() -> str:
    section = README.read_text().split("## Walk-through", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)


def test_the_readme_walk_through_runs_as_written(system, tmp_path):
    # Where the README's reader has them: the gateway on 8080, the password in var/.
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "admin-password").write_text(ADMIN_PASSWORD)
    script = walk_through().replace("http://127.0.0.1:8080", system.gateway)

    run = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "confirmed" in lines, run.stdout
    assert any(line.startswith("insufficient stock") for line in lines), run.stdout
    assert '"on_hand":10' in run.stdout.replace(" ", "") and '"available":7' in run.stdout.replace(
        " ", ""
    ), run.stdout
    assert '"revenue":"447.00"' in run.stdout.replace(" ", ""), run.stdout
