"""The repository is its own documentation: whoever clones it can read every document it
cites, and every check its docs name exists.

The design once lived in documents beside the checkout, which a clone does not have; the
contract is now docs/api.md, docs/events.md with docs/asyncapi.yaml, the invariants of
docs/architecture.md and the OpenAPI document the gateway serves.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Names of what is outside the repository. Spelled in pieces so this file does not name them.
OUTSIDE = re.compile(
    "|".join(re.escape(name) for name in ("CONTRACT" + ".md", "DESIGN" + ".md", "../" + "shared"))
)
# A check a document names: `path/to/test_file.py::test_name`.
CITED_TEST = re.compile(r"`([\w./-]+\.py)::(\w+)`")


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / name for name in listed.stdout.split("\0") if name]


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None


def test_no_tracked_file_names_a_document_outside_the_repository():
    naming = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in tracked_files()
        if (text := text_of(path)) is not None
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not naming, "cite the repository's own docs instead:\n" + "\n".join(naming)


def test_every_check_a_document_names_exists():
    missing = [
        f"{document.relative_to(ROOT)} names {path}::{name}"
        for document in tracked_files()
        if document.suffix == ".md" and (text := text_of(document)) is not None
        for path, name in CITED_TEST.findall(text)
        if not re.search(rf"^\s*(async )?def {name}\(", text_of(ROOT / path) or "", re.M)
    ]
    assert not missing, "\n".join(missing)
