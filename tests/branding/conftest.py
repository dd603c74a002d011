"""Brand tests: people of both tenants with API clients, images made with Pillow, media stored
in a folder of the test, and the theme caches cleared after each test that uses them (a test's
brand rows are rolled back, but what it cached in Redis would outlive them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts.models import User
from billing.entitlements import forget_plan
from billing.models import Plan
from branding.theme import forget_theme
from tests.support.branding import Capture
from tests.support.chat_api import Person, person
from tests.support.tenants import TenantInfo


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


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Capture) -> Capture:
    """Runs what actions left for after the commit (the theme cache is cleared then)."""
    return django_capture_on_commit_callbacks
