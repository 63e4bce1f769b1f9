"""The import rules of docs/architecture.md are kept by code: `make lint` runs lint-imports on
the contracts of .importlinter. Here the tree keeps them, every capability package is under
them, and each kind of breach fails lint-imports naming the import, shown on a copy of the
tree (the checkout is shared while others work in it, so nothing is written into it)."""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SERVICES = ("orders", "inventory", "crm", "analytics")


def contracts() -> dict[str, configparser.SectionProxy]:
    config = configparser.ConfigParser()
    config.read(CONFIG)
    prefix = "importlinter:contract:"
    return {name[len(prefix) :]: config[name] for name in config if name.startswith(prefix)}


def listed(section: configparser.SectionProxy, option: str) -> set[str]:
    return set(section[option].split())


def capability_packages(service: str) -> set[str]:
    """The folders of a service that hold use cases: its business capabilities."""
    source = ROOT / "services" / service / service
    return {f"{service}.{path.parent.name}" for path in source.glob("*/service.py")}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """lint-imports as `make lint` runs it, its report unwrapped (one line per contract)."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "400"},
    )


def test_make_lint_runs_the_import_contracts():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe and "lint-imports" in recipe.group(1)


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_every_capability_package_is_layered_and_kept_apart(service):
    packages = capability_packages(service)
    assert packages
    assert packages <= listed(contracts()["capability-layers"], "containers")
    assert packages == listed(contracts()[f"{service}-capabilities"], "modules")


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory) -> Path:
    """The packages the contracts name, side by side as lint-imports finds them first (it puts
    its working folder at the head of sys.path), and the real configuration."""
    copy = tmp_path_factory.mktemp("tree")
    config = configparser.ConfigParser()
    config.read(CONFIG)
    for package in config["importlinter"]["root_packages"].split():
        home = importlib.util.find_spec(package).submodule_search_locations[0]
        shutil.copytree(home, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, copy / ".importlinter")
    return copy


# One breach of each rule: the module that breaks it, the import added to it, the contract
# that must fail and the import it must name.
BREACHES = {
    "a domain that reads its database": (
        "orders/sales/domain.py",
        "from orders.sales import db",
        "Inside a package: api or handlers",
        "orders.sales.domain -> orders.sales.db",
    ),
    "an HTTP entry point that runs SQL": (
        "inventory/stock/api.py",
        "from inventory.stock import db",
        "db.py is imported by its service.py only",
        "inventory.stock.api -> inventory.stock.db",
    ),
    "a package reaching into another's domain": (
        "crm/segments/service.py",
        "from crm.campaigns import domain",
        "CRM's packages reach one another only through their service.py",
        "crm.segments.service -> crm.campaigns.domain",
    ),
    "two packages calling each other": (
        "inventory/replenishment/service.py",
        "from inventory.stock import service as stock",
        "depend on one another one way, in no cycle",
        "No cycles are allowed in inventory",
    ),
    "a service importing another": (
        "orders/sales/service.py",
        "from inventory.stock import service as stock",
        "Services and the gateway never import one another",
        "orders.sales.service -> inventory.stock.service",
    ),
    "the shared kernel knowing a service": (
        "erp_shared/money.py",
        "from orders.sales import domain",
        "The shared kernel knows no service",
        "erp_shared.money -> orders.sales.domain",
    ),
}


@pytest.mark.parametrize("breach", BREACHES)
def test_an_import_that_breaks_a_rule_fails_lint_imports_naming_it(copy_of_the_tree, breach):
    module, line, contract, named = BREACHES[breach]
    path = copy_of_the_tree / module
    kept = path.read_text()
    path.write_text(f"{kept}\n{line}\n")
    try:
        result = lint_imports(copy_of_the_tree)
    finally:
        path.write_text(kept)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert re.search(re.escape(contract) + r".*\n-+\n", broken), result.stdout
    assert named in broken, result.stdout
