"""Brand tests: people of both tenants with API clients, images made with Pillow, media stored
in a folder of the test, and the theme caches cleared after each test that uses them (a test's
brand rows are rolled back, but what it cached in Redis would outlive them)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from billing.entitlements import forget_plan
from billing.models import Plan
from branding.theme import forget_theme
from tests.chat.api_fixtures import Person, person
from tests.conftest import TenantInfo


@pytest.fixture
def brand_env(tenant_a: TenantInfo, tenant_b: TenantInfo, db: None, tmp_path: Path) -> Iterator[Path]:
    """Media in a folder of the test; theme and plan caches cleared after it."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema):
            forget_theme()
    for plan in Plan.objects.all():
        forget_plan(plan)


@pytest.fixture
def owner_a(tenant_a: TenantInfo, brand_env: Path) -> Person:
    return person(tenant_a, "Olive Owner", User.Role.OWNER)


@pytest.fixture
def owner_b(tenant_b: TenantInfo, brand_env: Path) -> Person:
    return person(tenant_b, "Gus Globex", User.Role.OWNER)


@pytest.fixture
def member_a(tenant_a: TenantInfo, brand_env: Path) -> Person:
    return person(tenant_a, "Mo Member")


def png(width: int = 256, height: int = 256, colour: str = "#0f766e", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG", **save)
    return out.getvalue()


def upload(who: Person, kind: str, content: bytes, name: str = "image.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return who.api.http.post(
        "/api/brand/draft/assets/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        **who.api.headers,
    )


Capture = Callable[..., AbstractContextManager[object]]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Capture) -> Capture:
    """Runs what actions left for after the commit (the theme cache is cleared then)."""
    return django_capture_on_commit_callbacks


def publish(who: Person, on_commit: Capture) -> Any:
    with on_commit(execute=True):
        return who.post("/api/brand/publish/")
