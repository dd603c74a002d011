"""The ask benchmark's quick mode runs (the full run is `make bench-domains`): every answer was
right, and a report with both levels and their ratio was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tenants.models import CustomDomain
from tests.support.tenants import ROOT, TenantInfo, database_url_for_subprocess


def test_the_quick_benchmark_runs_and_reports_the_ratio(
    tenant_a: TenantInfo, tmp_path: Path, django_db_blocker: object
) -> None:
    results = tmp_path / "domains.json"
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "REDIS_URL": settings.REDIS_URL}

    finished = subprocess.run(
        [
            sys.executable,
            "bench/domains.py",
            "--quick",
            "--same-database",
            "--tenant",
            tenant_a.client.slug,
            "--results",
            str(results),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    assert "ratio p99 1000 / p99 10" in finished.stdout
    report = json.loads(results.read_text())
    assert report["wrong_answers"] == 0 and report["ratio_p99"] > 0
    assert set(report["levels"]) == {"10", "1000"}
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert not CustomDomain.objects.filter(domain__endswith=".bench-domains.example").exists()
