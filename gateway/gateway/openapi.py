"""One OpenAPI document for the whole API: the gateway's own paths plus each service's.

Component schemas are prefixed with their service's name, since two services may both
have, say, an `AddressIn` that are not the same thing.
"""

from __future__ import annotations

import json

DOCS_PAGE = """<!doctype html>
<html><head><title>ERP API</title><meta charset="utf-8">
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head><body><div id="ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
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
        merged.setdefault("paths", {}).update(document.get("paths", {}))
        merged.setdefault("tags", []).extend(document.get("tags", []))
        for section, entries in document.get("components", {}).items():
            target = components.setdefault(section, {})
            if section == "schemas":
                entries = {prefix + name: schema for name, schema in entries.items()}
            target.update(entries)
    merged["security"] = [{"bearerAuth": []}]
    return merged
