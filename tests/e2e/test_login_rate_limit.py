"""The sign-in limit holds across the gateway's gunicorn workers: with the counts in Redis,
two workers let through exactly the limit between them, then answer 429 with Retry-After."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
import redis

from erp_testing import keys_for_tests, unique, wait_for
from erp_testing.system import free_port

pytestmark = pytest.mark.e2e

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = 5


@pytest.fixture
def gateway(tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} (set REDIS_URL, or start redis-server): {exc}")
    port = free_port()
    env = {
        **os.environ,
        "ERP_ENV": "development",
        "ERP_VAR_DIR": str(tmp_path),
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "ERP_JWT_KEYS_DIR": str(keys_for_tests()),
        "ERP_ADMIN_PASSWORD": "root-password-1x",
        "ERP_BUS_PREFIX": f"{unique('limit-')}.",
        "REDIS_URL": REDIS_URL,
        "GATEWAY_LOGIN_RATE_LIMIT": f"{LIMIT}/minute",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    subprocess.run([sys.executable, "-m", "erp_shared.migrate", "gateway"], env=env, check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:erp_shared.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "gateway.app:create_app()",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return httpx.get(f"{url}/health/live", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=60)
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_the_sign_in_limit_is_shared_by_both_workers(gateway):
    answers = []
    for attempt in range(3 * LIMIT):
        # A new connection each time, so the requests spread over both workers; a username
        # each, so the per-address limit answers, not the wait after wrong passwords.
        with httpx.Client(base_url=gateway, timeout=10) as client:
            body = {"username": f"guess-{attempt}", "password": "wrong"}
            answers.append(client.post("/api/v1/auth/token", json=body))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == LIMIT, statuses
    assert statuses[LIMIT:] == [429] * (2 * LIMIT), statuses
    refused = answers[-1]
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert int(refused.headers["Retry-After"]) > 0
