"""The audit trail: every write that reaches the gateway is recorded after it is answered,
whether it succeeded or was refused (a run of 403s is worth seeing), in its own transaction.

What is kept: actor and roles (for a sign-in, the username tried), request id, method,
path, status, the record made or touched (from Location or the answer's `id`) and the
client address. Never a body, a password or a token.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, g, request

from erp_shared.access import WRITE
from erp_shared.uow import UnitOfWork
from gateway import db
from gateway.api import username_tried

log = logging.getLogger(__name__)
SIGN_IN = "/api/v1/auth/token"
# Answers larger than this are not opened to look for the record's id.
LARGEST_READ = 64 * 1024


def _actor() -> str | None:
    principal = g.get("principal") or {}
    if principal.get("sub"):
        return principal["sub"]
    return username_tried() if request.path == SIGN_IN else None


def _target(response: Response) -> str | None:
    location = response.headers.get("Location")
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1][:200]
    small = (response.content_length or 0) <= LARGEST_READ
    if not (response.is_json and small and not response.is_streamed):
        return None
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return None
    return body["id"][:200] if isinstance(body, dict) and isinstance(body.get("id"), str) else None


def install(app: Flask) -> None:
    engine = app.extensions["erp_engine"]

    @app.after_request
    def record(response: Response):
        if request.method not in WRITE or not request.path.startswith("/api/v1/"):
            return response
        principal = g.get("principal") or {}
        entry = {
            "actor": _actor(),
            "roles": ",".join(principal.get("roles") or [])[:200] or None,
            "request_id": g.get("request_id", ""),
            "method": request.method,
            "path": request.path[:500],
            "status": response.status_code,
            "target": _target(response),
            "remote_addr": (request.remote_addr or "")[:64] or None,
        }
        try:
            with UnitOfWork(engine, "gateway", actor=entry["actor"]) as uow:
                db.record_write(uow.conn, {"at": uow.now, **entry})
        except Exception:
            log.exception("could not record %s %s in the audit log", request.method, request.path)
        return response
