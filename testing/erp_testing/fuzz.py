"""Schemathesis over the whole API of a running system, with records to aim at.

Generated ids almost never name a record, so most operations would only ever answer 404 or
422 and the stateful phase could follow few links. `seed()` creates a small world through the
API (warehouses, stocked products, customers, orders confirmed and shipped, an invoice, a
return, a ticket, a campaign, a segment, a user); the run draws ids from it most of the time
and random ones otherwise. `fuzz_policy.toml` beside this file says which operations may
answer 422 to schema-valid input, each with the rule the schema cannot express.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from erp_testing import unique, wait_until
from erp_testing.system import System

POLICY = Path(__file__).with_name("fuzz_policy.toml")
PHASES = "examples,coverage,fuzzing,stateful"
# How often a drawn id is one of the seeded records rather than a random string.
SEEDED_SHARE = 0.8


def seed(system: System) -> dict[str, list[str]]:
    """A small world of records, by the name of the id that refers to each kind."""
    tag = unique("fz").upper().replace("-", "")[:10]
    second = f"W{tag}"[:16]
    system.call("POST", "/warehouses", json={"code": second, "name": "Fuzz annex"})
    skus = [f"{tag}-{n}" for n in range(3)]
    for sku in skus:
        system.create_stocked_product(sku, 1_000)
    customers = [system.create_customer() for _ in range(2)]
    orders = [system.place_first_order(customers[0], sku, 2)["id"] for sku in skus]
    for order_id in orders:
        wait_until(lambda order_id=order_id: system.settled(order_id))
    shipped = _ok(system.call("POST", f"/orders/{orders[0]}/ship", json={}))
    system.call("POST", f"/orders/{orders[0]}/deliver")
    returned = _ok(
        system.call(
            "POST",
            "/returns",
            json={
                "order_id": orders[0],
                "resolution": "refund",
                "lines": [{"sku": skus[0], "quantity": 1, "reason": "dented"}],
            },
        )
    )
    ticket = _ok(
        system.call(
            "POST",
            "/tickets",
            json={"customer_id": customers[0], "subject": "Late", "description": "Where is it?"},
        )
    )
    campaign = _ok(
        system.call(
            "POST",
            "/campaigns",
            json={
                "name": "Spring",
                "code": tag,
                "channel": "email",
                "budget": "100.00",
                "starts_on": "2026-03-01",
                "ends_on": "2026-03-31",
            },
        )
    )
    segment = _ok(
        system.call("POST", "/segments", json={"name": tag, "rules": {"min_spend": "1.00"}})
    )
    user = _ok(
        system.call(
            "POST",
            "/auth/users",
            json={"username": tag.lower(), "password": "correct horse battery", "roles": ["sales"]},
        )
    )
    return {
        "sku": skus,
        "warehouse": ["MAIN", second],
        "customer_id": customers,
        "order_id": orders,
        "invoice_id": [shipped["invoice_id"]],
        "return_id": [returned["id"]],
        "ticket_id": [ticket["id"]],
        "campaign_id": [campaign["id"]],
        "segment_id": [segment["id"]],
        "user_id": [user["id"]],
    }


def _ok(answer) -> dict:
    if not answer.is_success:
        raise AssertionError(f"{answer.request.method} {answer.request.url}: {answer.text[:300]}")
    return answer.json()


# Where each kind of id appears: as a path or query parameter, and in request bodies.
BODY_PLACES = {
    "sku": ("body.sku", "body.lines[*].sku"),
    "warehouse": ("body.warehouse", "body.from_warehouse", "body.to_warehouse"),
    "customer_id": ("body.customer_id",),
    "order_id": ("body.order_id",),
}


def config_text(world: dict[str, list[str]], examples: int) -> str:
    """The policy, the test volume, then one dictionary per kind of id and where to draw from
    it. The stateful phase gets more scenarios than an operation gets examples: each one is a
    chain of calls, the only place where links between operations are followed."""
    lines = [POLICY.read_text(), ""]
    lines += ["[generation]", f"max-examples = {examples}", ""]
    lines += ["[phases.stateful]", "max-steps = 12", ""]
    lines += ["[phases.stateful.generation]", f"max-examples = {examples * 10}", ""]
    for kind, values in world.items():
        lines += [f"[dictionaries.{kind}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for kind in world:
        binding = f'{{ dictionary = "{kind}", probability = {SEEDED_SHARE} }}'
        for place in (kind, *BODY_PLACES.get(kind, ())):
            lines.append(f'"{place}" = {binding}')
    return "\n".join(lines) + "\n"


def run_schemathesis(
    system: System, scratch: Path, examples: int, phases: str = PHASES, report_dir=None
) -> subprocess.CompletedProcess:
    """schemathesis run over the gateway's document as an admin; its exit code says if any
    check failed."""
    schemathesis = Path(sys.executable).parent / "schemathesis"
    if not schemathesis.exists():
        raise RuntimeError("schemathesis is not installed: requirements-dev.txt has it")
    config = scratch / "schemathesis.toml"
    config.write_text(config_text(seed(system), examples))
    command = [
        str(schemathesis),
        "--config-file",
        str(config),
        "run",
        f"{system.gateway}/api/v1/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {system.token}",
        "--phases",
        phases,
        "--workers",
        "2",
        "--request-timeout",
        "10",
    ]
    if report_dir is not None:
        command += ["--report", "junit", "--report-dir", str(report_dir)]
    return subprocess.run(command, check=False, cwd=scratch, capture_output=True, text=True)
