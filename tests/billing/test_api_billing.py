"""`/api/billing/`: an owner sees the plan, status, usage and limits from the platform's own
records; admins and members are refused; two workspaces never see each other's billing;
invoices come in keyset pages; checkout and portal refuse bad input with clear codes."""

from __future__ import annotations

import pytest

from billing.models import Entitlement, Plan, Usage
from tests.support.billing import invoices, on_plan
from tests.support.people_api import Api, as_role, assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


@pytest.fixture
def owner_a(tenant_a: TenantInfo) -> Api:
    return as_role(tenant_a, "owner")


@pytest.fixture
def owner_b(tenant_b: TenantInfo) -> Api:
    return as_role(tenant_b, "owner")


def test_a_free_workspace_shows_its_plan_usage_and_the_plans_to_choose(owner_a: Api, tenant_a: TenantInfo) -> None:
    # given
    with on_plan(tenant_a.client, Status.FREE, "free"):
        # when
        response = owner_a.call("get", "/api/billing/")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["plan"] == {"code": "free", "name": "Free", "interval": None, "price_cents": 0, "currency": "usd"}
    assert body["status"] == "free" and body["trial_ends_at"] is None and body["cancel_at_period_end"] is False
    assert (
        set(body["usage"])
        == set(body["limits"])
        == {
            "seats",
            "storage_bytes",
            "pages_this_period",
            "messages_this_period",
            "custom_domains",
        }
    )
    assert body["limits"]["seats"] == 10 and body["limits"]["messages_this_period"] is None
    usage = Usage.objects.get(client=tenant_a.client)
    assert body["usage"]["seats"] == usage.seats and body["usage"]["storage_bytes"] == usage.storage_bytes
    assert body["test_mode"] is True
    offered = [plan["code"] for plan in body["plans"]]
    assert offered == list(Plan.objects.filter(is_public=True).values_list("code", flat=True))
    assert "enterprise" not in offered
    team = next(plan for plan in body["plans"] if plan["code"] == "team")
    assert team["monthly_price_cents"] == 800 and team["limits"]["custom_domains"] == 1


@pytest.mark.parametrize(
    ("status", "read_only"),
    [(Status.TRIALING, False), (Status.ACTIVE, False), (Status.PAST_DUE, False), (Status.CANCELED, True)],
)
def test_each_subscription_status_is_shown_with_its_dates(
    owner_a: Api, tenant_a: TenantInfo, status: str, read_only: bool
) -> None:
    # given
    with on_plan(tenant_a.client, status, "team", interval="year") as row:
        # when
        body = owner_a.call("get", "/api/billing/").json()

    # then
    assert body["status"] == status and body["read_only"] is read_only
    assert body["plan"]["code"] == "team" and body["plan"]["interval"] == "year"
    assert body["plan"]["price_cents"] == Plan.objects.get(code="team").yearly_price_cents
    assert body["limits"]["seats"] == 100 and body["limits"]["storage_bytes"] == 51200 * 1024 * 1024
    assert body["current_period_end"] is not None
    assert (body["trial_ends_at"] is not None) is (status == Status.TRIALING)
    if status == Status.PAST_DUE:
        assert row.past_due_since is not None and body["past_due_since"] is not None
        assert body["grace_ends_at"] is not None
    assert body["has_customer"] is True


def test_only_owners_see_billing(tenant_a: TenantInfo) -> None:
    admin, member = as_role(tenant_a, "admin"), as_role(tenant_a, "member")
    for api in (admin, member):
        assert_error(api.call("get", "/api/billing/"), 403)
        assert_error(api.call("get", "/api/billing/invoices/"), 403)
        assert_error(api.call("post", "/api/billing/checkout/", {"plan": "team", "interval": "month"}), 403)
        assert_error(api.call("post", "/api/billing/portal/"), 403)
    assert_error(Api(tenant_a).call("get", "/api/billing/"), 401)


def test_two_workspaces_never_see_each_others_plan_usage_or_invoices(
    owner_a: Api, owner_b: Api, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: acme on Business with invoices, globex free without any
    with (
        on_plan(tenant_a.client, Status.ACTIVE, "business"),
        on_plan(tenant_b.client, Status.FREE, "free"),
        invoices(tenant_a.client, 3, prefix="acme"),
    ):
        # when
        seen_a = owner_a.call("get", "/api/billing/").json()
        seen_b = owner_b.call("get", "/api/billing/").json()
        invoices_b = owner_b.call("get", "/api/billing/invoices/").json()
        invoices_a = owner_a.call("get", "/api/billing/invoices/").json()
        newest_a = invoices_a["results"][0]["id"]
        # a cursor from the other workspace finds nothing
        crossed = owner_b.call("get", "/api/billing/invoices/", {"before": newest_a + 1}).json()

    # then
    assert seen_a["plan"]["code"] == "business" and seen_b["plan"]["code"] == "free"
    assert seen_b["usage"]["seats"] == Usage.objects.get(client=tenant_b.client).seats
    assert [row["number"] for row in invoices_a["results"]] == ["ACME-0002", "ACME-0001", "ACME-0000"]
    assert invoices_b == {"results": [], "next_before": None}
    assert crossed == {"results": [], "next_before": None}
    # the token of one workspace is refused on the other
    other = Api(tenant_b)
    other.headers = owner_a.headers
    assert other.call("get", "/api/billing/").status_code == 401


def test_invoices_come_in_keyset_pages_newest_first(owner_a: Api, tenant_a: TenantInfo) -> None:
    # given
    with invoices(tenant_a.client, 5, prefix="page") as made:
        # when
        first = owner_a.call("get", "/api/billing/invoices/", {"limit": 2}).json()
        second = owner_a.call("get", "/api/billing/invoices/", {"limit": 2, "before": first["next_before"]}).json()
        third = owner_a.call("get", "/api/billing/invoices/", {"limit": 2, "before": second["next_before"]}).json()
        bad = owner_a.call("get", "/api/billing/invoices/", {"limit": 0})

    # then
    numbers = [row["number"] for page in (first, second, third) for row in page["results"]]
    assert numbers == [invoice.number for invoice in reversed(made)]
    assert third["next_before"] is None
    row = first["results"][0]
    assert set(row) == {"id", "number", "status", "total_cents", "currency", "created_at", "hosted_url", "pdf_url"}
    assert row["total_cents"] == 6000 and row["pdf_url"].endswith(".pdf") and row["status"] == "paid"
    assert_error(bad, 400, "invalid")


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"plan": "platinum", "interval": "month"}, 400, "unknown_plan"),
        ({"plan": "enterprise", "interval": "month"}, 400, "unknown_plan"),
        ({"plan": "team", "interval": "week"}, 400, "invalid_interval"),
        ({"plan": "free", "interval": "month"}, 400, "free_plan"),
        ({"plan": 5, "interval": "month"}, 400, "invalid"),
        ({"interval": "month"}, 400, "invalid"),
    ],
)
def test_checkout_refuses_bad_input_with_a_clear_code(
    owner_a: Api, tenant_a: TenantInfo, data: dict[str, object], status: int, code: str
) -> None:
    # given
    with on_plan(tenant_a.client, Status.FREE, "free"):
        before = Entitlement.objects.get(client=tenant_a.client)
        # when
        response = owner_a.call("post", "/api/billing/checkout/", data)
        after = Entitlement.objects.get(client=tenant_a.client)

    # then: refused, and nothing stored
    assert_error(response, status, code)
    assert (after.plan_id, after.status, after.stripe_customer_id) == (
        before.plan_id,
        before.status,
        before.stripe_customer_id,
    )


def test_checkout_of_the_plan_already_paid_for_is_a_conflict(owner_a: Api, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.ACTIVE, "team"):
        response = owner_a.call("post", "/api/billing/checkout/", {"plan": "team", "interval": "month"})
    assert_error(response, 409, "same_plan")


def test_the_portal_needs_a_stripe_customer(owner_a: Api, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.FREE, "free"):
        response = owner_a.call("post", "/api/billing/portal/")
    assert_error(response, 400, "no_customer")
