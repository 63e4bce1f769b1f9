"""The event contract in docs/ is what the code does, and a valid AsyncAPI 3.0 document.

docs/asyncapi.yaml and docs/events.md are written by docs/event_contract.py (`make asyncapi`)
from the payload schemas, the workers' handler maps and the producers' code; a change to any
of those without regenerating them fails here. The AsyncAPI document is checked by the
official AsyncAPI parser (@asyncapi/parser, pinned in package-lock.json beside this file),
which .ci/run installs with npm.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GENERATOR = ROOT / "docs" / "event_contract.py"
# The parser's severities: 0 error, 1 warning, 2 information, 3 hint.
ACCEPTED_SEVERITY = 2


def load_generator():
    """docs/event_contract.py is a script, not an installed module: load it by its path."""
    spec = importlib.util.spec_from_file_location("event_contract", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def find_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not on PATH: the AsyncAPI check runs the official parser on Node.js "
            "(apt-get install nodejs npm; .ci/run installs them when missing)",
            pytrace=False,
        )
    if not (HERE / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(
            "the AsyncAPI parser is not installed: run `npm ci --ignore-scripts --prefix "
            "tests/contract` (.ci/run does)",
            pytrace=False,
        )
    return node


@pytest.mark.parametrize("name", ["asyncapi.yaml", "events.md"])
def test_the_committed_event_documents_are_what_the_code_says(tmp_path, name):
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, cwd=ROOT)
    committed = (ROOT / "docs" / name).read_text()
    assert (tmp_path / name).read_text() == committed, (
        f"docs/{name} is stale: run `make asyncapi` and commit what it writes"
    )


def test_the_asyncapi_document_passes_the_official_parser():
    answer = subprocess.run(
        [find_node(), str(HERE / "validate_asyncapi.mjs"), str(ROOT / "docs" / "asyncapi.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    problems = [
        f"{'/'.join(map(str, found['path']))}: {found['message']} ({found['code']})"
        for found in json.loads(answer.stdout)
        if found["severity"] < ACCEPTED_SEVERITY
    ]
    assert not problems, "\n".join(problems)


def test_the_parser_finds_a_broken_document(tmp_path):
    """The check above would pass an empty answer: here the parser must refuse an operation
    whose action AsyncAPI 3.0 does not have."""
    broken = tmp_path / "asyncapi.yaml"
    text = (ROOT / "docs" / "asyncapi.yaml").read_text()
    broken.write_text(text.replace("action: send", "action: publish", 1))
    answer = subprocess.run(
        [find_node(), str(HERE / "validate_asyncapi.mjs"), str(broken)],
        capture_output=True,
        text=True,
        check=True,
    )
    errors = [found for found in json.loads(answer.stdout) if found["severity"] == 0]
    assert [error["path"][-1] for error in errors] == ["action"]


def test_each_event_is_sent_by_its_producer_and_received_by_each_handler_map():
    document = load_generator().asyncapi_document()
    operations = document["operations"]
    assert operations["orders.sends.order.placed"]["action"] == "send"
    assert operations["analytics.sends.customer.segment_changed"]["action"] == "send"
    receivers = sorted(name for name in operations if name.endswith(".receives.order.placed"))
    # Analytics takes the decision, which carries the order, and no pending order.
    assert receivers == ["crm.receives.order.placed", "inventory.receives.order.placed"]
    assert "analytics.receives.order.confirmed" in operations
    assert operations["inventory.receives.order.placed"]["channel"] == {
        "$ref": "#/channels/inventory.events"
    }


def test_an_event_no_service_produces_stops_the_generator(monkeypatch):
    generator = load_generator()
    monkeypatch.setitem(generator.PAYLOADS, "parcel.lost", generator.PAYLOADS["order.placed"])
    with pytest.raises(generator.ContractError, match="parcel.lost"):
        generator.producers()


def test_without_node_the_check_fails_and_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="apt-get install nodejs npm"):
        find_node()
