"""A token holds no longer than the configured lifetime, and no longer than its key is
published: a service reading the gateway's public keys from a mounted file refuses a key's
tokens, even ones it already checked, once a rotation has taken the key out of the file."""

from __future__ import annotations

import pytest

from erp_testing import claims, service_app, sign, wait_for
from gateway.keys import SigningKeys, new_key_file, publish

pytestmark = pytest.mark.integration

CUSTOMERS = "/api/v1/customers"


@pytest.fixture
def key_folder(tmp_path):
    """A gateway's key folder with two keys, `old` and `new`, and the JWKS file it publishes."""
    folder = tmp_path / "keys"
    for kid in ("old", "new"):
        new_key_file(folder).rename(folder / f"{kid}.pem")
    publish(folder, tmp_path / "jwks.json")
    return folder


def signed_with(folder, kid: str, **extra) -> dict:
    key = SigningKeys.from_dir(folder).private[kid]
    token = sign({**claims(), **extra}, key=key, headers={"kid": kid})
    return {"Authorization": f"Bearer {token}"}


def bearer_for(ttl: int) -> dict:
    return {"Authorization": f"Bearer {sign(claims(ttl=ttl))}"}


def test_a_token_lasting_longer_than_the_configured_lifetime_is_refused(databases):
    client = service_app("crm", databases.new("sqlite"), token_lifetime=900).test_client()
    assert client.get(CUSTOMERS, headers=bearer_for(ttl=900)).status_code == 200
    refused = client.get(CUSTOMERS, headers=bearer_for(ttl=10 * 365 * 86400))
    assert refused.status_code == 401
    assert "at most 900 seconds" in refused.json["detail"]


def test_a_key_taken_out_of_the_mounted_file_takes_its_checked_tokens_with_it(
    databases, key_folder
):
    jwks = key_folder.parent / "jwks.json"
    client = service_app("crm", databases.new("sqlite"), jwks_url=jwks.as_uri()).test_client()
    old, new = signed_with(key_folder, "old"), signed_with(key_folder, "new")
    assert client.get(CUSTOMERS, headers=old).status_code == 200  # checked, and remembered
    (key_folder / "old.pem").unlink()
    publish(key_folder, jwks)
    assert wait_for(lambda: client.get(CUSTOMERS, headers=old).status_code == 401, timeout=5)
    assert client.get(CUSTOMERS, headers=new).status_code == 200


def test_a_key_added_to_the_mounted_file_is_trusted_without_a_restart(databases, key_folder):
    jwks = key_folder.parent / "jwks.json"
    client = service_app("crm", databases.new("sqlite"), jwks_url=jwks.as_uri()).test_client()
    assert client.get(CUSTOMERS, headers=signed_with(key_folder, "new")).status_code == 200
    new_key_file(key_folder).rename(key_folder / "newer.pem")
    publish(key_folder, jwks)
    newer = signed_with(key_folder, "newer")
    assert wait_for(lambda: client.get(CUSTOMERS, headers=newer).status_code == 200, timeout=5)
