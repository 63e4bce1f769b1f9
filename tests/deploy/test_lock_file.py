"""Every third-party file a venv or an image installs is named in a lock by version and hash:
requirements.lock for every venv (packages, test fixtures and tools), one lock per deployable
for its image, and the eval and soak extras. pip installs them with --require-hashes, so a
CI run next month or an image built today gets the same files, and a download that differs
from what `make lock` saw fails the install instead of running."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOYABLES = [
    "gateway",
    *(f"services/{name}" for name in ("analytics", "crm", "inventory", "orders")),
]
LOCKS = [
    "requirements.lock",
    "requirements-eval.lock",
    "requirements-soak.lock",
    *(f"{deployable}/requirements.lock" for deployable in DEPLOYABLES),
]
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def entries(lock: str) -> list[str]:
    """The lock's requirements, each with its `--hash` options joined onto one line."""
    text = re.sub(r"\\\n", " ", (REPO / lock).read_text())
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def pinned(lock: str) -> dict[str, str]:
    return {_name(entry): entry.split("==", 1)[1].split()[0] for entry in entries(lock)}


def named_in(requirements: str) -> set[str]:
    lines = (REPO / requirements).read_text().splitlines()
    return {_name(line) for line in lines if line.strip() and not line.startswith("#")}


def dependencies(package: str) -> set[str]:
    project = tomllib.loads((REPO / package / "pyproject.toml").read_text())["project"]
    return {_name(r) for r in project.get("dependencies", []) if not r.startswith("erp-")}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_has_one_version_and_the_hashes_of_its_files(lock):
    locked = entries(lock)
    assert locked, lock
    for entry in locked:
        requirement = entry.split()[0]
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.+!-]*", requirement), entry
        assert HASH.search(entry), f"{lock}: {requirement} has no hash"
        # pip refuses editable and local requirements in hash-checking mode.
        assert not entry.startswith(("-e", "file:", ".", "/")), entry


def test_every_named_dependency_is_pinned_where_it_is_installed():
    packages = ["shared", "testing", *DEPLOYABLES]
    named = set().union(*(dependencies(package) for package in packages))
    assert named | named_in("requirements-dev.txt") | {"pip", "setuptools"} <= set(
        pinned("requirements.lock")
    )
    assert named_in("requirements-eval.txt") <= set(pinned("requirements-eval.lock"))
    assert named_in("requirements-soak.txt") <= set(pinned("requirements-soak.lock"))


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_an_image_gets_what_its_deployable_needs_at_the_versions_every_venv_tests(deployable):
    image = pinned(f"{deployable}/requirements.lock")
    assert dependencies("shared") | dependencies(deployable) | {"setuptools"} <= set(image)
    venv = pinned("requirements.lock")
    assert {name: venv.get(name) for name in image} == image
    # The tools stay out of the images.
    assert not {"pytest", "ruff", "schemathesis", "uv"} & set(image)


def test_the_extras_keep_the_versions_every_venv_has():
    venv = pinned("requirements.lock")
    for lock in ("requirements-eval.lock", "requirements-soak.lock"):
        shared = set(pinned(lock)) & set(venv)
        assert {name: pinned(lock)[name] for name in shared} == {n: venv[n] for n in shared}


def test_the_image_and_the_makefile_install_only_what_the_locks_hash():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "COPY ${SOURCE}/requirements.lock /app/requirements.lock" in dockerfile
    installs = re.findall(r"pip install[^\n]*", re.sub(r"\\\n\s*", " ", dockerfile))
    assert any(
        "--require-hashes" in install and "-r /app/requirements.lock" in install
        for install in installs
    )
    assert "pip install -q --require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-eval.lock" in makefile
    assert "--require-hashes -r requirements-soak.lock" in makefile
    # Every other pip install is of our own packages, whose dependencies the lock already
    # holds: without --no-deps pip would fetch anything missing unchecked.
    for text in (dockerfile, makefile):
        for install in re.findall(r"pip install[^\n]*(?:\\\n[^\n]*)*", text):
            assert "--require-hashes" in install or "--no-deps" in install, install
