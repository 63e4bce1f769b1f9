"""Failures a use case reports to its caller, rendered as RFC 9457 problem details.

Use cases raise these; the HTTP layer turns them into `application/problem+json`. Nothing
is half-written when one is raised: the unit of work rolls back.
"""

from __future__ import annotations

from http import HTTPStatus


class Problem(Exception):
    status = 400

    def __init__(self, detail: str, errors: dict | None = None, title: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.title = title or HTTPStatus(self.status).phrase


class NotFound(Problem):
    status = 404


class Conflict(Problem):
    status = 409


class Invalid(Problem):
    status = 422


def problem_body(status: int, detail: str, errors: dict | None = None, title: str | None = None):
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body
