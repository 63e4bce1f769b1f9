"""A token holds no longer than the configured lifetime, and no longer than its key is
published: a service reading the gateway's public keys from a mounted file refuses a key's
tokens, even ones it already checked, once a rotation has taken the key out of the file."""

from __future__ import annotations

import pytest

from erp_testing import bearer_signed_with, claims, key_folder, service_app, sign, wait_for
from gateway.keys import publish

pytestmark = pytest.mark.integration

CUSTOMERS = "/api/v1/customers"


@pytest.fixture
def keys(tmp_path):
    """A gateway's key folder with two keys, `old` and `new`, and the JWKS file it publishes."""
    folder = key_folder(tmp_path / "keys", "old", "new")
    publish(folder, tmp_path / "jwks.json")
    return folder


def bearer_for(ttl: int) -> dict:
    return {"Authorization": f"Bearer {sign(claims(ttl=ttl))}"}


def test_a_token_lasting_longer_than_the_configured_lifetime_is_refused(databases):
    client = service_app("crm", databases.new("sqlite"), token_lifetime=900).test_client()
    assert client.get(CUSTOMERS, headers=bearer_for(ttl=900)).status_code == 200
    refused = client.get(CUSTOMERS, headers=bearer_for(ttl=10 * 365 * 86400))
    assert refused.status_code == 401
    assert "at most 900 seconds" in refused.json["detail"]


def test_a_key_taken_out_of_the_mounted_file_takes_its_checked_tokens_with_it(databases, keys):
    jwks = keys.parent / "jwks.json"
    client = service_app("crm", databases.new("sqlite"), jwks_url=jwks.as_uri()).test_client()
    old, new = bearer_signed_with(keys, "old"), bearer_signed_with(keys, "new")
    assert client.get(CUSTOMERS, headers=old).status_code == 200  # checked, and remembered
    (keys / "old.pem").unlink()
    publish(keys, jwks)
    assert wait_for(lambda: client.get(CUSTOMERS, headers=old).status_code == 401, timeout=5)
    assert client.get(CUSTOMERS, headers=new).status_code == 200


def test_a_key_added_to_the_mounted_file_is_trusted_without_a_restart(databases, keys):
    jwks = keys.parent / "jwks.json"
    client = service_app("crm", databases.new("sqlite"), jwks_url=jwks.as_uri()).test_client()
    assert client.get(CUSTOMERS, headers=bearer_signed_with(keys, "new")).status_code == 200
    key_folder(keys, "newer")
    publish(keys, jwks)
    newer = bearer_signed_with(keys, "newer")
    assert wait_for(lambda: client.get(CUSTOMERS, headers=newer).status_code == 200, timeout=5)
