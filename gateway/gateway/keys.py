"""The gateway's signing keys: Ed25519 private keys in PEM files, one per key id (the file's
name without `.pem`), in ERP_JWT_KEYS_DIR. All of them are published as the JWKS services
verify with; one signs (ERP_JWT_SIGNING_KID, else the last by name).

The folder is looked at again every second, so no restart is needed to rotate: add a new key
file (it is published, not yet used); once services have seen it (a mounted JWKS file within
a second, the JWKS URL within five minutes or at once on an unknown key id), make it the
signing key; remove the old file after the longest token lifetime, or at once if it leaked:
its tokens are refused from then on.
`python -m gateway.keys new <dir> [<jwks.json>]` writes a new key named by today's date;
`ensure` writes one only if the folder has none (what a first deployment runs); either then
publishes every key's public half to the JWKS file services mount, when one is named.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from erp_shared.auth import ALGORITHM, InvalidToken, Verifier
from erp_shared.config import Settings

log = logging.getLogger(__name__)
# How often the folder is listed for keys added, replaced or removed.
FOLDER_CHECK = 1.0


class SigningKeyGone(RuntimeError):
    """The key ERP_JWT_SIGNING_KID names is not in the folder."""


@dataclass(frozen=True)
class SigningKeys:
    private: dict[str, Ed25519PrivateKey]
    signing_kid: str

    @classmethod
    def from_dir(cls, folder: Path, signing_kid: str | None = None) -> SigningKeys:
        private = {}
        for path in sorted(folder.glob("*.pem")):
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise RuntimeError(f"{path.name} is not an Ed25519 private key")
            private[path.stem] = key
        if not private:
            raise RuntimeError(f"no signing key (*.pem) in {folder}")
        kid = signing_kid or list(private)[-1]
        if kid not in private:
            raise SigningKeyGone(f"ERP_JWT_SIGNING_KID={kid} names no key in {folder}")
        return cls(private, kid)

    def sign(self, claims: dict) -> str:
        return jwt.encode(
            claims,
            self.private[self.signing_kid],
            algorithm=ALGORITHM,
            headers={"kid": self.signing_kid},
        )

    def public_key(self, kid: str):
        if kid not in self.private:
            raise InvalidToken(f"unknown key {kid}")
        return self.private[kid].public_key()

    def jwks(self) -> dict:
        keys = []
        for kid, key in self.private.items():
            jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"})
        return {"keys": keys}


class KeyFolder:
    """The signing keys as the folder holds them now: what signs, verifies and is published
    follows the folder within FOLDER_CHECK seconds. A folder that cannot be read as a whole
    (a key half written, the signing key named by ERP_JWT_SIGNING_KID gone) keeps the last
    good keys and is logged as an error until it can. The signing key itself removed (the
    likeliest to have leaked) is obeyed at once: its tokens stop and the newest key left
    signs, logged as an error until ERP_JWT_SIGNING_KID names a key again."""

    def __init__(self, folder: Path, signing_kid: str | None = None):
        self.folder = folder
        self.signing_kid = signing_kid
        self._lock = threading.Lock()
        self._version = self._listing()
        self._keys = SigningKeys.from_dir(folder, signing_kid)
        self._checked_at = time.monotonic()

    def _listing(self) -> tuple:
        """Each key file's name and version: a change to any of them means reading again."""
        versions = []
        for path in self.folder.glob("*.pem"):
            stat = path.stat()
            versions.append((path.name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(versions))

    def current(self) -> SigningKeys:
        if time.monotonic() - self._checked_at > FOLDER_CHECK:
            with self._lock:
                if time.monotonic() - self._checked_at > FOLDER_CHECK:
                    self._reload()
        return self._keys

    def _reload(self) -> None:
        self._checked_at = time.monotonic()
        try:
            version = self._listing()
            if version != self._version:
                try:
                    self._keys = SigningKeys.from_dir(self.folder, self.signing_kid)
                except SigningKeyGone as gone:
                    self._keys = SigningKeys.from_dir(self.folder)
                    log.error("%s: signing with %s instead", gone, self._keys.signing_kid)
                self._version = version
                log.info(
                    "signing keys now %s, signing with %s",
                    list(self._keys.private),
                    self._keys.signing_kid,
                )
        except (OSError, ValueError, RuntimeError) as exc:
            log.error(
                "the signing keys in %s could not be read, keeping the last: %s", self.folder, exc
            )

    def sign(self, claims: dict) -> str:
        return self.current().sign(claims)

    def public_key(self, kid: str):
        return self.current().public_key(kid)

    def jwks(self) -> dict:
        return self.current().jwks()


def signing_keys(settings: Settings) -> KeyFolder:
    """The configured keys; in development a first key is made under the var folder."""
    if settings.jwt_keys_dir:
        return KeyFolder(Path(settings.jwt_keys_dir), settings.jwt_signing_kid)
    if not settings.is_development:
        raise RuntimeError("ERP_JWT_KEYS_DIR must name the folder of the gateway's signing keys")
    folder = Path(settings.var_dir) / "keys"
    if not any(folder.glob("*.pem")):
        new_key_file(folder)
    return KeyFolder(folder, settings.jwt_signing_kid)


def verifier(keys: KeyFolder, settings: Settings) -> Verifier:
    return Verifier(keys.public_key, settings.jwt_issuer, settings.token_lifetime)


def new_key_file(folder: Path) -> Path:
    """A new private key, readable by its owner only from the moment it exists, and complete
    before it has its `.pem` name (the gateway reads the folder while this runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y-%m-%d}.pem"
    if path.exists():
        path = folder / f"{datetime.now(UTC):%Y-%m-%dT%H%M%S}.pem"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    staged = folder / f".{path.name}.new"
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    staged.rename(path)
    return path


def publish(folder: Path, jwks_file: Path) -> None:
    """Write the public keys of every key in `folder` as a JWKS file services can mount:
    then verifying a token never waits on the gateway (which may itself be waiting on the
    service)."""
    jwks_file.parent.mkdir(parents=True, exist_ok=True)
    staged = jwks_file.with_suffix(".tmp")
    staged.write_text(json.dumps(SigningKeys.from_dir(folder).jwks()))
    staged.replace(jwks_file)


if __name__ == "__main__":
    usage = "usage: python -m gateway.keys new|ensure <folder> [<public jwks.json>]"
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("new", "ensure"):
        sys.exit(usage)
    folder = Path(sys.argv[2])
    if sys.argv[1] == "new" or not any(folder.glob("*.pem")):
        print(new_key_file(folder))
    if len(sys.argv) == 4:
        publish(folder, Path(sys.argv[3]))
