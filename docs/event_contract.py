"""Writes the event contract, docs/asyncapi.yaml and docs/events.md, from the code (`make
asyncapi`), so neither can say something the code does not do.

- What each event carries: the marshmallow schemas of erp_shared.events, which every
  producer's payload is validated against before it reaches the outbox.
- Who consumes it: each service's `HANDLERS`, the map its worker binds its queue with.
- Who produces it: the service whose code, its handlers aside, names the event type.
- The topology: the exchange, queues and dead-lettering of erp_shared.bus, named by Settings.

It lives here and not in erp_shared because it reads every service, which the shared library
never imports. tests/contract checks that the committed documents are what this writes and
that the AsyncAPI document passes the official AsyncAPI parser.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.field_converter import make_type_list
from marshmallow import fields

from erp_shared.config import SERVICES, Settings
from erp_shared.events import ENVELOPE_VERSION, PAYLOADS, Envelope

DOCS = Path(__file__).resolve().parent
AMQP_BINDING = "0.3.0"


class ContractError(Exception):
    """The code does not say who produces an event: the documents cannot be written."""


@dataclass(frozen=True)
class Handling:
    """What one consumer does with an event: the use case its handler calls, and why."""

    use_case: str
    purpose: str


def _first_paragraph(doc: str | None) -> str:
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split()) if doc else ""


def _handling(handler) -> Handling:
    """The use cases a handler calls (`service.<name>(...)`), and the first paragraph of the
    first docstring that says why: the handler's, else its use case's (none: the use case's
    name says it)."""
    module = inspect.getmodule(handler)
    tree = ast.parse(textwrap.dedent(inspect.getsource(handler)))
    called = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "service"
    ]
    package = module.__name__.split(".")[-2]
    use_cases = [getattr(module.service, name) for name in called]
    docs = [handler.__doc__, *(use_case.__doc__ for use_case in use_cases)]
    purpose = next((_first_paragraph(doc) for doc in docs if doc), "")
    names = ", ".join(f"{package}.{name}" for name in called) or handler.__name__
    return Handling(names, purpose)


def consumers() -> dict[str, dict[str, Handling]]:
    """Event type -> consuming service -> what it does, from each worker's HANDLERS."""
    found: dict[str, dict[str, Handling]] = defaultdict(dict)
    for service in SERVICES:
        for event_type, handler in importlib.import_module(f"{service}.handlers").HANDLERS.items():
            found[event_type][service] = _handling(handler)
    return found


def _event_types_named(node: ast.AST) -> set[str]:
    """The event types a piece of code names: a literal ("order.placed"), or a family by its
    prefix (f"order.{status}")."""
    if isinstance(node, ast.Constant) and node.value in PAYLOADS:
        return {node.value}
    if (
        isinstance(node, ast.JoinedStr)
        and len(node.values) == 2
        and isinstance(node.values[0], ast.Constant)
        and isinstance(node.values[1], ast.FormattedValue)
    ):
        prefix = node.values[0].value
        return {event_type for event_type in PAYLOADS if event_type.startswith(prefix)}
    return set()


def producers() -> dict[str, str]:
    """Event type -> the one service whose code (handlers.py aside: those name what they
    consume) names it. Refuses an event no service or two services name."""
    named: dict[str, set[str]] = defaultdict(set)
    for service in SERVICES:
        package = Path(importlib.import_module(service).__file__).parent
        for path in sorted(package.rglob("*.py")):
            if path.name == "handlers.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                for event_type in _event_types_named(node):
                    named[event_type].add(service)
    unclear = {
        event_type: sorted(named[event_type])
        for event_type in PAYLOADS
        if len(named[event_type]) != 1
    }
    if unclear:
        raise ContractError(f"each event needs exactly one producing service; found {unclear}")
    return {event_type: named[event_type].pop() for event_type in PAYLOADS}


def _decimal_as_string(self, field, ret) -> dict:
    """A Decimal dumped as a string travels as "12.50", not as a JSON number."""
    if isinstance(field, fields.Decimal) and field.as_string:
        types = ["string" if kind == "number" else kind for kind in make_type_list(ret["type"])]
        return {"type": types[0] if len(types) == 1 else types, "format": "decimal"}
    return {}


def payload_schemas() -> dict[str, dict]:
    """The envelope's and every payload's JSON Schema, nested ones as their own components.

    apispec writes OpenAPI 3.1 schema objects, which are JSON Schema, and refers to nested
    ones under #/components/schemas/ as AsyncAPI does."""
    plugin = MarshmallowPlugin()
    spec = APISpec("events", str(ENVELOPE_VERSION), "3.1.0", plugins=[plugin])
    plugin.converter.add_attribute_function(_decimal_as_string)
    spec.components.schema("Envelope", schema=Envelope)
    for schema in PAYLOADS.values():
        if schema.__name__ not in spec.components.schemas:
            spec.components.schema(schema.__name__, schema=schema)
    return spec.to_dict()["components"]["schemas"]


def _message(event_type: str, producer: str, consumed_by: dict[str, Handling]) -> dict:
    readers = ", ".join(consumed_by) or "no service (yet)"
    return {
        "name": event_type,
        "title": event_type,
        "summary": f"Sent by {producer}; consumed by {readers}.",
        "contentType": "application/json",
        "correlationId": {
            "description": "The request (or first event) this event came from.",
            "location": "$message.payload#/correlation_id",
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event_type},
                        "version": {"const": ENVELOPE_VERSION},
                        "data": {"$ref": f"#/components/schemas/{PAYLOADS[event_type].__name__}"},
                    },
                },
            ]
        },
        "bindings": {"amqp": {"messageType": event_type, "bindingVersion": AMQP_BINDING}},
    }


def _routing_key_channel(event_type: str, exchange: str) -> dict:
    return {
        "address": event_type,
        "description": f"Routing key `{event_type}` on the topic exchange `{exchange}`.",
        "messages": {event_type: {"$ref": f"#/components/messages/{event_type}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": exchange,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING,
            }
        },
    }


def _queue_channel(settings: Settings, event_types: list[str]) -> dict:
    return {
        "address": settings.queue,
        "description": (
            f"The {settings.service} service's durable quorum queue, bound to "
            f"`{settings.exchange}` with each event type its worker handles. The worker acks a "
            "delivery once the handler's effects and the event's id are committed; a message "
            "whose handler keeps failing is dead-lettered when it has used up the delivery "
            f"limit ({settings.delivery_limit}), through `{settings.dead_letter_exchange}` to "
            f"`{settings.dead_letter_queue}`."
        ),
        "messages": {
            event_type: {"$ref": f"#/components/messages/{event_type}"}
            for event_type in event_types
        },
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": settings.queue,
                    "durable": True,
                    "exclusive": False,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING,
            }
        },
    }


def _send(producer: str, event_type: str) -> dict:
    return {
        "action": "send",
        "title": f"{producer} sends {event_type}",
        "summary": "Written to the outbox in the transaction of the change it announces, then "
        "published persistent, with publisher confirms (at least once).",
        "channel": {"$ref": f"#/channels/{event_type}"},
        "messages": [{"$ref": f"#/channels/{event_type}/messages/{event_type}"}],
        "bindings": {
            "amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING}
        },
    }


def _receive(consumer: str, queue: str, event_type: str, handling: Handling) -> dict:
    return {
        "action": "receive",
        "title": f"{consumer} receives {event_type}",
        "summary": handling.purpose or handling.use_case,
        "description": f"Handled by `{handling.use_case}`, once per event id.",
        "channel": {"$ref": f"#/channels/{queue}"},
        "messages": [{"$ref": f"#/channels/{queue}/messages/{event_type}"}],
        "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING}},
    }


DESCRIPTION = """\
Every event the ERP's services exchange through RabbitMQ. A producer writes an event to its
outbox in the same transaction as the change it announces; its worker publishes it to the
topic exchange with the event type as routing key. Each consuming service has one durable
queue bound to the types it handles. Delivery is at least once and events carry no global
order: a consumer applies an event id once and ignores an event that arrives stale. Consumers
ignore fields they do not know; a breaking change bumps the envelope's `version`.
docs/events.md lists each event's producer and consumers."""


def asyncapi(made_by: dict[str, str], used_by: dict[str, dict[str, Handling]]) -> dict:
    topology = {service: Settings(service, database_url="", amqp_url="") for service in SERVICES}
    exchange = topology[SERVICES[0]].exchange
    channels = {event_type: _routing_key_channel(event_type, exchange) for event_type in PAYLOADS}
    operations = {}
    for event_type in PAYLOADS:
        operations[f"{made_by[event_type]}.sends.{event_type}"] = _send(
            made_by[event_type], event_type
        )
    for service, settings in topology.items():
        handled = [event_type for event_type in PAYLOADS if service in used_by.get(event_type, {})]
        channels[settings.queue] = _queue_channel(settings, handled)
        for event_type in handled:
            operations[f"{service}.receives.{event_type}"] = _receive(
                service, settings.queue, event_type, used_by[event_type][service]
            )
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ERP sales management events",
            "version": str(ENVELOPE_VERSION),
            "description": " ".join(DESCRIPTION.split()),
        },
        "servers": {
            "broker": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The RabbitMQ named by AMQP_URL (this is its default).",
            }
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {
                event_type: _message(event_type, made_by[event_type], used_by.get(event_type, {}))
                for event_type in PAYLOADS
            },
            "schemas": payload_schemas(),
        },
    }


def asyncapi_document() -> dict:
    """The AsyncAPI document of the code as it is."""
    return asyncapi(producers(), consumers())


def asyncapi_yaml(document: dict) -> str:
    return (
        "# Generated by `make asyncapi` (docs/event_contract.py) from the code: do not edit.\n"
        + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)
    )


def _fields(schema: dict) -> str:
    required = set(schema.get("required", []))
    return ", ".join(
        name if name in required else f"{name}?" for name in schema.get("properties", {})
    )


def _message_lines(text: str) -> dict[str, int]:
    """The line each message starts on in the AsyncAPI document, for links to it."""
    lines = text.splitlines()
    start = lines.index("components:")
    start += lines[start:].index("  messages:")
    return {
        event_type: start + lines[start:].index(f"    {event_type}:") + 1 for event_type in PAYLOADS
    }


PAGE_INTRO = """\
# Events

<!-- Generated by `make asyncapi` (docs/event_contract.py) from the code: do not edit. -->

Every event the services exchange, who sends it and what each consumer does with it. The
producer is the service whose code names the event; the consumers are the services whose
worker `HANDLERS` map has it. The whole contract, with the envelope, the payload schemas, the
exchange, the queues and dead-lettering, is the AsyncAPI 3.0 document
[asyncapi.yaml](asyncapi.yaml).

Each message is an envelope `{id, type, version, occurred_at, producer, correlation_id,
causation_id, data}` published to the topic exchange `erp.events` with the type as routing
key; `data` is the payload below (`?`: may be absent or null). Delivery is at least once and
in no global order: each consumer applies an event id once and ignores a stale event.
Consumers ignore fields they do not know.

| event | producer | consumers: what each does | payload (`data`) |
| --- | --- | --- | --- |
"""


def _what(service: str, handling: Handling) -> str:
    said = f"{handling.purpose} " if handling.purpose else ""
    return f"**{service}**: {said}(`{handling.use_case}`)".replace("|", "\\|")


def events_page(
    made_by: dict[str, str], used_by: dict[str, dict[str, Handling]], yaml_text: str
) -> str:
    schemas = payload_schemas()
    lines_at = _message_lines(yaml_text)
    rows = []
    for event_type, payload in PAYLOADS.items():
        readers = used_by.get(event_type, {})
        handled = "<br>".join(_what(service, handling) for service, handling in readers.items())
        link = f"[{payload.__name__}](asyncapi.yaml#L{lines_at[event_type]})"
        rows.append(
            f"| `{event_type}` | {made_by[event_type]} | "
            f"{handled or 'none: published for whoever subscribes'} | "
            f"{link}: {_fields(schemas[payload.__name__])} |\n"
        )
    return PAGE_INTRO + "".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="folder to write into (docs/)")
    out = parser.parse_args(argv).out
    try:
        made_by, used_by = producers(), consumers()
    except ContractError as exc:
        print(f"event_contract: {exc}", file=sys.stderr)
        return 1
    yaml_text = asyncapi_yaml(asyncapi(made_by, used_by))
    (out / "asyncapi.yaml").write_text(yaml_text)
    (out / "events.md").write_text(events_page(made_by, used_by, yaml_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
