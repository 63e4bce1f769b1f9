"""The tools the offline deployment checks run, as fixtures (deploy_tools.py finds them)."""

from __future__ import annotations

import pytest
from deploy_tools import find_kubectl, find_promtool


@pytest.fixture(scope="session")
def kubectl() -> str:
    return find_kubectl()


@pytest.fixture(scope="session")
def promtool() -> str:
    return find_promtool()
