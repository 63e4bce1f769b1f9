"""Only a token the gateway signed opens the API, at the gateway and at each service's own
port: no `alg: none`, no other key, no HS256 made with the public key, nothing expired,
nothing tampered with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from erp_testing import TEST_KEY_ID, bearer, claims, keys_for_tests, service_app, sign

pytestmark = pytest.mark.integration

# A read every app answers for an admin, on its own port.
PROBES = {
    "gateway": "/api/v1/auth/users",
    "crm": "/api/v1/customers",
    "orders": "/api/v1/orders",
    "inventory": "/api/v1/products",
    "analytics": "/api/v1/analytics/summary",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with_the_public_key() -> str:
    """The classic confusion: HMAC-signed with the public key's PEM as the secret."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": TEST_KEY_ID}).encode())
    body = _b64(json.dumps(claims()).encode())
    pem = (keys_for_tests() / f"{TEST_KEY_ID}.pem").read_bytes()
    public = serialization.load_pem_private_key(pem, password=None).public_key()
    secret = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def tampered() -> str:
    header, _, signature = sign(claims(roles=["customer"])).split(".")
    return f"{header}.{_b64(json.dumps(claims(roles=['admin'])).encode())}.{signature}"


FORGED = {
    "alg none": lambda: jwt.encode(claims(), None, algorithm="none", headers={"kid": TEST_KEY_ID}),
    "another key": lambda: sign(claims(), key=Ed25519PrivateKey.generate()),
    "unknown key id": lambda: sign(claims(), headers={"kid": "made-up"}),
    "hs256 with the public key": hs256_with_the_public_key,
    "expired": lambda: sign(claims(ttl=-60)),
    "tampered payload": tampered,
    "not a token": lambda: "not.a.token",
}


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("apps")
    return {name: service_app(name, f"sqlite:///{folder / name}.db") for name in PROBES}


@pytest.mark.parametrize("app_name", PROBES)
@pytest.mark.parametrize("forgery", FORGED)
def test_a_forged_token_is_401(apps, app_name, forgery):
    headers = {"Authorization": f"Bearer {FORGED[forgery]()}"}
    answer = apps[app_name].test_client().get(PROBES[app_name], headers=headers)
    assert answer.status_code == 401, answer.json
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("app_name", PROBES)
def test_the_gateway_s_own_token_is_accepted(apps, app_name):
    answer = apps[app_name].test_client().get(PROBES[app_name], headers=bearer())
    assert answer.status_code == 200, answer.json
