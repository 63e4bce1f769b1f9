"""The audit trail: every write that reaches the gateway is recorded, whether it succeeded
or was refused (a run of 403s is worth seeing), each in its own transaction.

A write that is let through is entered before it is forwarded and its outcome filled in
after: if the entry cannot be written, the write is not done (503), so no write escapes the
trail. A refused one (no token, a role that may not, over a limit) did nothing and is
recorded once it is answered.

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
from erp_shared.web import problem
from gateway import db
from gateway.api import username_tried

log = logging.getLogger(__name__)
SIGN_IN = "/api/v1/auth/token"
# Answers larger than this are not opened to look for the record's id.
LARGEST_READ = 64 * 1024


def _audited() -> bool:
    return request.method in WRITE and request.path.startswith("/api/v1/")


def _actor() -> str | None:
    principal = g.get("principal") or {}
    if principal.get("sub"):
        return principal["sub"]
    return username_tried() if request.path == SIGN_IN else None


def _target(response: Response) -> str | None:
    location = response.headers.get("Location")
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1]
    small = (response.content_length or 0) <= LARGEST_READ
    if not (response.is_json and small and not response.is_streamed):
        return None
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return None
    return body["id"] if isinstance(body, dict) and isinstance(body.get("id"), str) else None


def _request() -> dict:
    """Who asks what, from where: everything the entry knows before the answer."""
    principal = g.get("principal") or {}
    return {
        "actor": _actor(),
        "roles": ",".join(principal.get("roles") or []) or None,
        "request_id": g.get("request_id", ""),
        "method": request.method,
        "path": request.path,
        "remote_addr": request.remote_addr or None,
    }


def install(app: Flask) -> None:
    engine = app.extensions["erp_engine"]

    def unit_of_work(actor: str | None) -> UnitOfWork:
        return UnitOfWork(engine, "gateway", actor=actor)

    @app.before_request
    def enter_write():
        """Runs once the caller is known to be allowed (authentication and the limits
        answer first), so what reaches this is what will be done."""
        if not _audited():
            return None
        entry = _request()
        try:
            with unit_of_work(entry["actor"]) as uow:
                g.audit_entry = db.open_audit_entry(uow.conn, {"at": uow.now, **entry})
        except Exception:
            log.exception("could not enter %s %s in the audit log", request.method, request.path)
            answer = problem(
                503, "Nothing was done: the write could not be entered in the audit trail."
            )
            answer.headers["Retry-After"] = "5"
            return answer
        return None

    @app.after_request
    def record_outcome(response: Response):
        if not _audited():
            return response
        entry_id = g.pop("audit_entry", None)
        try:
            with unit_of_work(_actor()) as uow:
                if entry_id is None:
                    entry = _request() | {"status": response.status_code, "target": None}
                    db.record_write(uow.conn, {"at": uow.now, **entry})
                else:
                    db.close_audit_entry(
                        uow.conn, entry_id, response.status_code, _target(response)
                    )
        except Exception:
            # The entry of a write that was done stays, with its outcome unknown (null).
            log.exception("could not record %s %s in the audit log", request.method, request.path)
        return response
