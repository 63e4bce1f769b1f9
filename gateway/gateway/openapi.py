"""One OpenAPI document for the whole API: the gateway's own paths plus each service's.

Component schemas are prefixed with their service's name, since two services may both
have, say, an `AddressIn` that are not the same thing. Every error any route can answer is
declared as `application/problem+json` (RFC 9457): 401 and 403 wherever a token is needed,
404 where the path names a record, 409 and 413 where a body is sent, 422 where input is
read, 429 everywhere (every call counts against its caller's rate limit, gateway.limits),
and 503/504 where the gateway forwards to a service.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

from erp_shared import access
from gateway.rules import PUBLIC

# Swagger UI from the swagger-ui-bundle package, served by this gateway: the viewer works
# offline, and the page loads nothing from another site.
docs_assets = Blueprint(
    "docs_assets", __name__, static_folder=str(swagger_ui_path), static_url_path="/swagger-ui"
)

DOCS_PAGE = """<!doctype html>
<html><head><title>ERP API</title><meta charset="utf-8">
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
</head><body><div id="ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#ui"});</script>
</body></html>"""

SCHEMA_REF = '"#/components/schemas/'


def merged_document(own: dict, documents: dict[str, dict]) -> dict:
    merged = json.loads(json.dumps(own))
    merged["info"] = {"title": "ERP sales management API", "version": own["info"]["version"]}
    components = merged.setdefault("components", {})
    for service, document in sorted(documents.items()):
        prefix = service.capitalize()
        document = json.loads(json.dumps(document).replace(SCHEMA_REF, SCHEMA_REF + prefix))
        # Tags too are per service: two may both name a blueprint `history`.
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and "tags" in operation:
                    operation["tags"] = [f"{service}.{tag}" for tag in operation["tags"]]
        merged.setdefault("paths", {}).update(document.get("paths", {}))
        merged.setdefault("tags", []).extend(
            {**tag, "name": f"{service}.{tag['name']}"} for tag in document.get("tags", [])
        )
        for section, entries in document.get("components", {}).items():
            target = components.setdefault(section, {})
            if section == "schemas":
                entries = {prefix + name: schema for name, schema in entries.items()}
            target.update(entries)
    merged["security"] = [{"bearerAuth": []}]
    own_paths = set(own.get("paths", {}))
    return with_problems(merged, own_paths)


PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "What is wrong with each field, by field name.",
            "additionalProperties": {},
        },
    },
    "required": ["title", "status"],
}
ERRORS = (400, 401, 403, 404, 409, 413, 422, 429, 503, 504)
METHODS = ("get", "put", "post", "delete", "patch")


def _problem_response(status: int) -> dict:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def with_problems(document: dict, own_paths: set[str]) -> dict:
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM
    responses = components.setdefault("responses", {})
    for name in list(responses):  # flask-smorest's own error responses, as problems
        responses[name] = {**_problem_response(422), "description": responses[name]["description"]}
    for status in ERRORS:
        responses[HTTPStatus(status).name] = _problem_response(status)
    responses["DEFAULT_ERROR"] = {**_problem_response(500), "description": "Any other error"}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                _declare_errors(path, method, item[method], path not in own_paths)
        if "patch" in item:
            _needs_a_change(document, item["patch"])
    return document


def _needs_a_change(document: dict, operation: dict) -> None:
    """A PATCH body names at least one field (erp_shared.schemas.Changes)."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = body.get("schema", {}).get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        document["components"]["schemas"][reference.rsplit("/", 1)[-1]]["minProperties"] = 1


def _declare_errors(path: str, method: str, operation: dict, forwarded: bool) -> None:
    statuses = {429}
    if access.covers(PUBLIC, method.upper(), path.removeprefix("/api/v1")):
        operation["security"] = []
    else:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if method in ("post", "put", "patch"):
        statuses |= {409, 413}
    if forwarded:
        statuses |= {503, 504}
    answers = operation.setdefault("responses", {})
    for status in sorted(statuses):
        answers.setdefault(
            str(status), {"$ref": f"#/components/responses/{HTTPStatus(status).name}"}
        )
    answers["default"] = {"$ref": "#/components/responses/DEFAULT_ERROR"}
