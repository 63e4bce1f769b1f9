"""What a process checks of its own surroundings before it serves outside development.

The images, docker-compose.yml and the Kubernetes manifests promise a non-root uid and a
read-only root filesystem; a container started some other way (a forgotten `user:`, a
`securityContext` dropped in a patch) would still run, silently giving an intruder a process
that can rewrite its own code. So outside development each app, worker and migration run
refuses to start in such a container, saying what to change, as it already does when a
required setting (database, broker, metrics token, signing keys, admin password) is missing.
"""

from __future__ import annotations

import os

from erp_shared.config import Settings


def refuse_unsafe_start(settings: Settings) -> None:
    if settings.is_development:
        return
    if os.geteuid() == 0:
        raise RuntimeError(
            f"ERP_ENV={settings.environment}: refusing to run as root; run as the image's "
            "user 10001 (compose `user:`, Kubernetes runAsNonRoot/runAsUser)"
        )
    if not os.statvfs("/").f_flag & os.ST_RDONLY:
        raise RuntimeError(
            f"ERP_ENV={settings.environment}: refusing to run on a writable root filesystem; "
            "mount it read-only (compose `read_only: true`, podman/docker --read-only, "
            "Kubernetes readOnlyRootFilesystem) with a tmpfs on /tmp"
        )
