"""The static files as deployed: `collectstatic` with production's manifest storage (every
`url()` a stylesheet names must exist, or it fails) over the project's files and the front-end
packages copied by `make vendor`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COLLECT = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.STATIC_ROOT = {root!r}
call_command("collectstatic", interactive=False, verbosity=0)
"""


def test_collectstatic_with_the_production_storage(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", COLLECT.format(root=str(tmp_path))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for needed in (
        "vendor/pdfjs-dist/build/pdf.min.mjs",
        "vendor/pdfjs-dist/build/pdf.worker.min.mjs",
        "vendor/emojibase-data/picker.json",
        "css/app.css",
    ):
        assert needed in manifest, f"{needed} is missing: run `make vendor`"
    # pdf.js asks for character maps and fonts by their own names, under one folder URL.
    assert (tmp_path / "vendor/pdfjs-dist/cmaps/UniJIS-UTF16-V.bcmap").exists()
