"""`make images`: the five images built from deploy/Dockerfile with podman, needing no registry
and no index from inside a build.

- The base: `--base debian` (the default here) makes a Debian bookworm root filesystem with
  python3 and the invoices' fonts from the machine's Debian mirror (mmdebstrap, minbase) and
  imports it as localhost/erp-base:bookworm-<hash of its package list>; the tarball is kept
  in var/images/, so a later run only imports it. Any other value names an image podman has
  or can pull (the Dockerfile's own default is the official python:3.11.13-slim-bookworm).
- The wheels: every deployable's lock is downloaded into var/wheelhouse/ on the host (`pip
  download`, hashes checked), handed to the build with `--build-context wheels=...` and
  installed with no index (`OFFLINE=1`): a build never reaches PyPI.
- The images: erp/<deployable>:latest (the names docker-compose.yml and the Kubernetes
  manifests use), in docker format so the HEALTHCHECK is kept. Each image's size and build time
  are printed and written to var/images/report.json.

podman reads deploy/podman/containers.conf (runc, cgroupfs, capped ulimits). A missing tool is
named with the Debian package to install.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from erp_shared.config import APPS, DEFAULT_PORTS

REPO = Path(__file__).resolve().parents[2]
IMAGES_DIR = REPO / "var" / "images"
WHEELHOUSE = REPO / "var" / "wheelhouse"
CONTAINERS_CONF = REPO / "deploy" / "podman" / "containers.conf"
# What the Debian base holds: Python and the fonts invoices are set in (the Dockerfile installs
# those fonts itself on a base without them). Its tag changes with the list, so a base made
# from an older list is never taken for this one.
BASE_PACKAGES = "python3,python3-venv,ca-certificates,fonts-dejavu-core,fonts-droid-fallback"
BASE_TAG = "bookworm-" + hashlib.sha256(BASE_PACKAGES.encode()).hexdigest()[:8]
DEBIAN_BASE = f"localhost/erp-base:{BASE_TAG}"
# What each image is built from: its folder and the port its app serves.
DEPLOYABLES = {
    app: ("gateway" if app == "gateway" else f"services/{app}", DEFAULT_PORTS[app]) for app in APPS
}
TOOLS = {
    "podman": "podman buildah runc uidmap fuse-overlayfs catatonit",
    "mmdebstrap": "mmdebstrap",
}
# The interpreter the images run: the wheels must be the ones it installs.
WHEEL_TARGET = [
    "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
    "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64",
    "--platform", "manylinux_2_28_x86_64", "--platform", "any",
]  # fmt: skip


def podman_environment() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, env=podman_environment(), **kwargs)


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        sys.exit(f"{tool} is not installed: apt-get install {TOOLS[tool]}")


def image_exists(name: str) -> bool:
    done = subprocess.run(
        ["podman", "image", "exists", name], env=podman_environment(), check=False
    )
    return done.returncode == 0


def debian_base() -> str:
    """localhost/erp-base:bookworm-<packages>, made from the Debian mirror once and kept as a
    tarball."""
    if image_exists(DEBIAN_BASE):
        return DEBIAN_BASE
    tarball = IMAGES_DIR / f"base-{BASE_TAG}.tar"
    if not tarball.exists():
        require("mmdebstrap")
        print(f"base      mmdebstrap bookworm -> {tarball.relative_to(REPO)}", flush=True)
        partial = tarball.with_suffix(".partial")
        run(
            [
                "mmdebstrap",
                "--variant=minbase",
                # The name ends in .partial until it is whole: mmdebstrap would take an
                # unknown extension to mean a directory.
                "--format=tar",
                f"--include={BASE_PACKAGES}",
                "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/locale/*",
                '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
                "bookworm",
                str(partial),
            ],
            stdout=subprocess.DEVNULL,
        )
        partial.rename(tarball)
    print(f"base      podman import -> {DEBIAN_BASE}", flush=True)
    run(["podman", "import", str(tarball), DEBIAN_BASE], stdout=subprocess.DEVNULL)
    return DEBIAN_BASE


def wheelhouse() -> Path:
    """Every locked wheel of every deployable, checked against the locks' hashes."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    for source, _ in DEPLOYABLES.values():
        done = subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--only-binary=:all:", "--require-hashes", *WHEEL_TARGET,
                "-r", str(REPO / source / "requirements.lock"), "-d", str(WHEELHOUSE),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"downloading the wheels of {source} failed:\n{done.stderr[-3000:]}")
    return WHEELHOUSE


def build(name: str, base: str, wheels: Path) -> dict:
    source, port = DEPLOYABLES[name]
    tag = f"erp/{name}:latest"
    log = IMAGES_DIR / f"build-{name}.log"
    started = time.monotonic()
    with log.open("w") as output:
        done = subprocess.run(
            [
                "podman", "build", "--format", "docker", "--network", "host",
                "--build-arg", f"BASE={base}", "--build-arg", "OFFLINE=1",
                "--build-context", f"wheels={wheels}",
                "--build-arg", f"SOURCE={source}", "--build-arg", f"PACKAGE={name}",
                "--build-arg", f"PORT={port}",
                "-f", "deploy/Dockerfile", "-t", tag, ".",
            ],
            cwd=REPO, env=podman_environment(), stdout=output, stderr=subprocess.STDOUT,
            check=False,
        )  # fmt: skip
    if done.returncode != 0:
        print(log.read_text()[-3000:], file=sys.stderr)
        sys.exit(f"building {tag} failed (log: {log.relative_to(REPO)})")
    size = run(
        ["podman", "image", "inspect", tag, "--format", "{{.Size}}"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "image": tag,
        "mb": round(int(size) / 1e6),
        "seconds": round(time.monotonic() - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="debian", help="'debian' or an image name")
    parser.add_argument("names", nargs="*", default=list(DEPLOYABLES), help="what to build")
    args = parser.parse_args()
    require("podman")
    IMAGES_DIR.mkdir(parents=True, exist_ok=True)
    base = debian_base() if args.base == "debian" else args.base
    print("wheels    pip download -> var/wheelhouse", flush=True)
    wheels = wheelhouse()
    built = []
    for name in args.names:
        print(f"build     erp/{name}:latest (from {base})", flush=True)
        built.append(build(name, base, wheels))
        print(f"          {built[-1]['mb']} MB in {built[-1]['seconds']} s", flush=True)
    (IMAGES_DIR / "report.json").write_text(json.dumps({"base": base, "images": built}, indent=2))
    for image in built:
        print(f"{image['image']:<26} {image['mb']:>5} MB  {image['seconds']:>4} s")


if __name__ == "__main__":
    main()
