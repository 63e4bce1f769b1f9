"""Every third-party dependency a package or the dev tools name is pinned in
requirements.lock, which the Makefile and the image install with `pip -c`: an image built
today and a CI run next month get the same versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pinned() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version
    return pins


def test_every_named_dependency_is_pinned_to_one_version():
    named = set()
    for pyproject in REPO.glob("**/pyproject.toml"):
        if ".venv" in pyproject.parts:
            continue
        project = tomllib.loads(pyproject.read_text())["project"]
        named |= {_name(r) for r in project.get("dependencies", []) if not r.startswith("erp-")}
    for requirements in ("requirements-dev.txt", "requirements-eval.txt"):
        for line in (REPO / requirements).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                named.add(_name(line))
    pins = pinned()
    assert named - set(pins) == set()
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version) for version in pins.values())


def test_the_image_and_the_makefile_install_with_the_lock():
    assert "-c /app/requirements.lock" in (REPO / "deploy" / "Dockerfile").read_text()
    assert "-c requirements.lock" in (REPO / "Makefile").read_text()
