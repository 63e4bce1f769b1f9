"""The gateway follows its key folder without a restart: a key file removed (rotated out, or
leaked) stops its tokens at once, even ones already checked; a key file added is published.
A new private key is never on disk readable by anyone but its owner."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jwt
import pytest

from erp_testing import bearer_signed_with, key_folder, service_app, wait_for
from gateway.keys import new_key_file

pytestmark = pytest.mark.integration

USERS = "/api/v1/auth/users"


@pytest.fixture
def folder(tmp_path):
    return key_folder(tmp_path / "keys", "a-old", "b-new")


def published(client) -> set[str]:
    return {
        key.key_id for key in jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json).keys
    }


def test_a_removed_key_file_stops_its_tokens_and_an_added_one_is_published(databases, folder):
    app = service_app("gateway", databases.new("sqlite"), jwt_keys_dir=str(folder))
    client = app.test_client()
    old = bearer_signed_with(folder, "a-old")
    assert client.get(USERS, headers=old).status_code == 200  # checked, and remembered
    (folder / "a-old.pem").unlink()
    assert wait_for(lambda: client.get(USERS, headers=old).status_code == 401, timeout=5)
    assert client.get(USERS, headers=bearer_signed_with(folder, "b-new")).status_code == 200
    key_folder(folder, "c-next")
    assert wait_for(lambda: published(client) == {"b-new", "c-next"}, timeout=5)


def test_removing_the_named_signing_key_stops_its_tokens_and_the_next_key_signs(databases, folder):
    app = service_app(
        "gateway", databases.new("sqlite"), jwt_keys_dir=str(folder), jwt_signing_kid="a-old"
    )
    client = app.test_client()
    leaked = bearer_signed_with(folder, "a-old")
    assert client.get(USERS, headers=leaked).status_code == 200
    (folder / "a-old.pem").unlink()
    assert wait_for(lambda: client.get(USERS, headers=leaked).status_code == 401, timeout=5)
    assert app.extensions["erp_signing_keys"].current().signing_kid == "b-new"


def test_a_new_private_key_is_owner_only_from_the_moment_it_exists(tmp_path, monkeypatch):
    """Even were the process stopped before any chmod, the key would not be left readable."""
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    monkeypatch.setattr(os, "chmod", lambda path, mode, **kwargs: None)
    previous = os.umask(0)
    try:
        path = new_key_file(tmp_path / "keys")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]
