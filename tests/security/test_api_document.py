"""The published API document is valid OpenAPI 3, declares its errors as problem+json and
its money as decimal strings."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from erp_shared.config import SERVICES
from erp_testing import service_app
from gateway import openapi

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    folder = tmp_path_factory.mktemp("apps")
    documents = {
        name: service_app(name, f"sqlite:///{folder / name}.db")
        .test_client()
        .get("/openapi.json")
        .json
        for name in SERVICES
    }
    gateway = service_app("gateway", f"sqlite:///{folder / 'gateway'}.db", service_urls={})
    own = gateway.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return openapi.merged_document(own, documents)


def test_the_merged_document_is_valid_openapi(document):
    validate(document)


def test_every_error_is_problem_json_and_secured_routes_declare_401_and_403(document):
    responses = document["components"]["responses"]
    for name, response in responses.items():
        assert list(response["content"]) == ["application/problem+json"], name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in openapi.METHODS:
                continue
            codes = set(operation["responses"])
            if operation.get("security") == []:
                continue
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)


def test_money_is_a_decimal_string_with_a_pattern_never_a_number_with_string_bounds(document):
    text = json.dumps(document)
    assert '"minimum": "' not in text and '"maximum": "' not in text
    order = document["components"]["schemas"]["OrdersOrderOut"]["properties"]
    assert order["total"]["type"] == "string" and order["total"]["pattern"]
