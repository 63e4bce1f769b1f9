"""The API gateway: identity, routing, request ids, health and the one OpenAPI document."""
