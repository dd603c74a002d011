"""/healthz answers on every host and says 503 when PostgreSQL or Redis is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from tests.support.tenants import ROOT, TenantInfo, host_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["localhost", "acme.localhost", "10.0.0.7"])
def test_healthz_is_ok_on_every_host(host: str, tenant_a: TenantInfo) -> None:
    response = host_client(host).get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_does_not_answer(tenant_a: TenantInfo) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = host_client(tenant_a.host).get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] != "ok"
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_is_503_when_postgresql_does_not_answer() -> None:
    # A separate process whose database is a port nothing listens on: the real failure path.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='acme.localhost').get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["checks"]["database"] != "ok"
    assert outcome["body"]["checks"]["redis"] == "ok"
