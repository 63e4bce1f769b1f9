"""The gateway's signing keys: Ed25519 private keys in PEM files, one per key id (the file's
name without `.pem`), in ERP_JWT_KEYS_DIR. All of them are published as the JWKS services
verify with; one signs (ERP_JWT_SIGNING_KID, else the last by name).

Rotating: add a new key file and restart the gateway (the key is published, not yet used);
once services have seen it (they refetch within five minutes, or at once on an unknown key
id), make it the signing key; remove the old file after the longest token lifetime.
`python -m gateway.keys new <dir> [<jwks.json>]` writes a new key named by today's date;
`ensure` writes one only if the folder has none (what a first deployment runs); either then
publishes every key's public half to the JWKS file services mount, when one is named.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from erp_shared.auth import ALGORITHM, InvalidToken, Verifier
from erp_shared.config import Settings


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
            raise RuntimeError(f"ERP_JWT_SIGNING_KID={kid} names no key in {folder}")
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


def signing_keys(settings: Settings) -> SigningKeys:
    """The configured keys; in development a first key is made under the var folder."""
    if settings.jwt_keys_dir:
        return SigningKeys.from_dir(Path(settings.jwt_keys_dir), settings.jwt_signing_kid)
    if not settings.is_development:
        raise RuntimeError("ERP_JWT_KEYS_DIR must name the folder of the gateway's signing keys")
    folder = Path(settings.var_dir) / "keys"
    if not any(folder.glob("*.pem")):
        new_key_file(folder)
    return SigningKeys.from_dir(folder, settings.jwt_signing_kid)


def verifier(keys: SigningKeys, settings: Settings) -> Verifier:
    return Verifier(keys.public_key, settings.jwt_issuer)


def new_key_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y-%m-%d}.pem"
    if path.exists():
        path = folder / f"{datetime.now(UTC):%Y-%m-%dT%H%M%S}.pem"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
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
