"""The domains page in Chromium, at a laptop's and a phone's size: records with copy buttons, a
domain whose problem is spelled out, a verified primary one, and a pending one that turns
verified on the page by itself while it is open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker

from tenants.domains.actions import do_add_domain, do_check_domain, do_force_verify
from tenants.domains.records import records_for
from tenants.models import CustomDomain
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.dns import Zone
from tests.support.domains import challenge, forget, unique_domain
from tests.support.tenants import PASSWORD, TenantInfo

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shown_domains(
    tenant_a: TenantInfo, dns: Zone, django_db_blocker: DjangoDbBlocker, domains_allowed: None
) -> Iterator[dict[str, CustomDomain]]:
    """A verified domain, one whose CNAME points elsewhere (checked for real, against the
    loopback DNS server), and one just added without records. A Celery worker of the run, if
    one is up, checks them too and finds the same."""
    primary, broken = unique_domain("chat"), unique_domain("support")
    with django_db_blocker.unblock():
        for name in (primary, broken):
            dns.add_dynamic(
                challenge(name),
                "TXT",
                lambda name=name: list(  # type: ignore[misc]
                    CustomDomain.objects.filter(domain=name).values_list("token", flat=True)
                ),
            )
        dns.add(primary, "CNAME", "customers.localhost")
        dns.add(broken, "CNAME", "old-host.example-hosting.net")
        made = {
            # Not made primary: the browser reaches the workspace at its platform address only.
            "primary": do_force_verify(claim=do_add_domain(tenant=tenant_a.client, name=primary)),
            "broken": do_check_domain(claim=do_add_domain(tenant=tenant_a.client, name=broken)),
            "fresh": do_add_domain(tenant=tenant_a.client, name=unique_domain("help")),
        }
        assert made["broken"].problem_code == "points_elsewhere"
    yield made
    with django_db_blocker.unblock():
        forget(made.values())


def sign_in(page: Page, live_server: LiveServer, tenant: TenantInfo) -> None:
    page.goto(live_server.url_for(tenant.host, "/login/?next=/settings/domains/"))
    page.fill("input[name=username]", tenant.owner_email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()


def test_the_domains_page_at_laptop_and_phone_sizes(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    shown_domains: dict[str, CustomDomain],
    dns: Zone,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url_for(tenant_a.host, ""))
    page = context.new_page()
    sign_in(page, live_server, tenant_a)

    # every domain with its state, the problem in words, and the records to copy
    broken = page.locator(f"#domain-{shown_domains['broken'].pk}")
    expect(broken).to_contain_text("old-host.example-hosting.net")
    expect(page.locator(f"#domain-{shown_domains['primary'].pk} .domain-status")).to_have_text("Verified")
    fresh_claim = shown_domains["fresh"]
    fresh = page.locator(f"#domain-{fresh_claim.pk}")
    expect(fresh.locator(".domain-status")).to_have_text("Pending")
    token = shown_domains["fresh"].token
    fresh.get_by_role("button", name=f"Copy {token}").click()
    expect(fresh.get_by_role("button", name=f"Copy {token}")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    save_screenshot(page, "domains-1280x800")

    # while it is open, the pending domain gets its records and is verified: the page follows
    with django_db_blocker.unblock():
        for record in records_for(fresh_claim.domain, is_apex=False, token=fresh_claim.token):
            dns.add(record.name, record.type, record.value)
        do_force_verify(claim=fresh_claim)
    expect(fresh.locator(".domain-status")).to_have_text("Verified", timeout=15_000)
    expect(fresh.get_by_role("button", name="Make primary")).to_be_visible()

    # the same page on a phone
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
    save_screenshot(page, "domains-390x844")
    # The page's own column fits the screen (the shared top bar is not this page's).
    overflow = page.evaluate(
        "(() => { const m = document.getElementById('main'); return m.scrollWidth - m.clientWidth; })()"
    )
    assert overflow <= 0, f"the domains column is {overflow}px wider than the phone's screen"
    page.goto(live_server.url_for(tenant_a.host, "/settings/workspace/"))
    workspace_width = page.evaluate("document.documentElement.scrollWidth")
    page.goto(live_server.url_for(tenant_a.host, "/settings/domains/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= max(workspace_width, PHONE["width"])
    context.close()


def test_adding_a_domain_and_removing_it_with_confirmation(
    page: Page, live_server: LiveServer, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, domains_allowed: None
) -> None:
    sign_in(page, live_server, tenant_a)
    name = unique_domain("team")

    page.fill("input[name=domain]", "192.0.2.4")
    page.get_by_role("button", name="Add domain").click()
    expect(page.locator(".errorlist")).to_contain_text("not an IP address")

    page.fill("input[name=domain]", name.upper())
    page.get_by_role("button", name="Add domain").click()
    expect(page.locator(".messages")).to_contain_text(f"{name} was added")
    with django_db_blocker.unblock():
        claim = CustomDomain.objects.get(domain=name)
    try:
        card = page.locator(f"#domain-{claim.pk}")
        expect(card).to_contain_text(f"_parley-challenge.{name}")
        save_screenshot(page, "domains-added")

        # the removal asks first (the browser's confirm, answered yes here)
        page.evaluate("window.confirm = (question) => { sessionStorage.setItem('asked', question); return true; }")
        card.get_by_role("button", name="Remove").click()
        expect(page.locator(".messages")).to_contain_text("was removed")
        asked = page.evaluate("sessionStorage.getItem('asked')")
        assert asked and f"Remove {name}?" in asked
        with django_db_blocker.unblock():
            assert CustomDomain.objects.get(pk=claim.pk).status == "removed"
    finally:
        with django_db_blocker.unblock():
            forget([claim])
