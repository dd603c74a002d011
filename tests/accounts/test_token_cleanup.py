"""Expired refresh-token rows are removed from every tenant's schema, live ones kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User
from accounts.tasks import flush_expired_tokens
from accounts.tokens import mint_tokens
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def test_flush_removes_expired_tokens_in_each_tenant_only(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: in each tenant one expired and one live refresh token
    jtis: dict[str, tuple[str, str]] = {}
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema):
            owner = User.objects.get(email=tenant.owner_email)
            expired, live = mint_tokens(owner, tenant.client), mint_tokens(owner, tenant.client)
            OutstandingToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - timedelta(days=1))
            jtis[tenant.schema] = (expired["jti"], live["jti"])

    # when
    removed = flush_expired_tokens()

    # then
    for tenant in (tenant_a, tenant_b):
        expired_jti, live_jti = jtis[tenant.schema]
        assert removed[tenant.schema] >= 1
        with schema_context(tenant.schema):
            assert not OutstandingToken.objects.filter(jti=expired_jti).exists()
            assert OutstandingToken.objects.filter(jti=live_jti).exists()
