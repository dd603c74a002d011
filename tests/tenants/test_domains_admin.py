"""Platform staff see every custom domain and force-verify, remove or move one; the routing
table stays consistent with the claims."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tenants.domains.actions import do_add_domain, do_make_primary
from tenants.models import CustomDomain, Domain
from tests.support.domains import unique_domain
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

LIST = "/admin/tenants/customdomain/"


def act(browser: HttpClient, action: str, claim: CustomDomain, **extra: object) -> object:
    return browser.post(LIST, {"action": action, "_selected_action": [claim.pk], **extra}, follow=True)


def test_the_list_shows_state_tenant_and_filters(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    claim = do_add_domain(tenant=tenant_a.client, name=unique_domain())

    html = staff_browser.get(LIST).content.decode()
    assert claim.domain in html and "Acme" in html and "Pending" in html
    assert "By status" in html and "By is apex" in html and "By DNS failing" in html
    assert claim.domain in staff_browser.get(LIST, {"q": claim.domain[:14]}).content.decode()
    assert claim.domain not in staff_browser.get(LIST, {"status__exact": "verified"}).content.decode()
    assert claim.domain not in staff_browser.get(LIST, {"failing": "yes"}).content.decode()


def test_force_verify_routes_and_remove_stops_routing(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    claim = do_add_domain(tenant=tenant_a.client, name=unique_domain())

    act(staff_browser, "force_verify", claim)
    assert CustomDomain.objects.get(pk=claim.pk).status == "verified"
    assert Domain.objects.get(domain=claim.domain).tenant_id == tenant_a.client.pk

    act(staff_browser, "remove", claim)
    assert CustomDomain.objects.get(pk=claim.pk).status == "removed"
    assert not Domain.objects.filter(domain=claim.domain).exists()


def test_force_verify_refuses_a_name_another_client_holds(
    staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    name = unique_domain()
    first = do_add_domain(tenant=tenant_a.client, name=name)
    second = do_add_domain(tenant=tenant_b.client, name=name)
    act(staff_browser, "force_verify", first)

    response = act(staff_browser, "force_verify", second)

    assert "Another workspace" in response.content.decode()  # type: ignore[attr-defined]
    assert CustomDomain.objects.get(pk=second.pk).status == "failed"
    assert Domain.objects.get(domain=name).tenant_id == tenant_a.client.pk


def test_moving_a_primary_domain_to_another_client(
    staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    claim = do_add_domain(tenant=tenant_a.client, name=unique_domain())
    act(staff_browser, "force_verify", claim)
    do_make_primary(claim=CustomDomain.objects.get(pk=claim.pk))

    # the action asks where to
    page = act(staff_browser, "move", claim)
    assert "Move to client" in page.content.decode()  # type: ignore[attr-defined]

    act(staff_browser, "move", claim, apply="Move", tenant=tenant_b.client.pk)

    moved = CustomDomain.objects.get(pk=claim.pk)
    assert moved.tenant_id == tenant_b.client.pk and moved.status == "verified"
    routed = Domain.objects.get(domain=claim.domain)
    assert routed.tenant_id == tenant_b.client.pk and not routed.is_primary
    assert Domain.objects.get(tenant=tenant_a.client, is_primary=True).domain == tenant_a.host


def test_domain_rows_are_read_only_in_the_admin(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    domain = Domain.objects.get(domain=tenant_a.host)

    assert staff_browser.get("/admin/tenants/domain/add/").status_code == 403
    assert staff_browser.get(f"/admin/tenants/domain/{domain.pk}/delete/").status_code == 403
    assert staff_browser.get(f"/admin/tenants/client/{tenant_a.client.pk}/change/").status_code == 200
