"""`/api/billing/` on tenant hosts, for the workspace's owners: what it pays for and uses, the
checkout and portal links, and its invoices. Reads come from our own tables (billing.selectors);
only checkout and portal reach Stripe, through billing.checkout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import stripe
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.access import require_billing_owner
from billing.api import serializers as s
from billing.checkout import BillingRefused, checkout_url, continue_on_free, portal_url
from billing.selectors import billing_overview, invoice_payload, invoices_page, overview_payload, public_plans
from config.api.common import BAD_INPUT, person, valid
from config.api.errors import Refused
from tenants.models import Client

T = TypeVar("T")

FORBIDDEN = OpenApiResponse(description="Signed in, but not an owner of this workspace")
UNAVAILABLE = OpenApiResponse(description="`stripe_unavailable`: the payment provider did not answer; try again")


def tenant_of(request: Request) -> Client:
    return cast(Client, request.tenant)  # set by the tenant middleware


def owner_tenant(request: Request) -> Client:
    require_billing_owner(person(request))
    return tenant_of(request)


def refusals_as_api_errors(call: Callable[[], T]) -> T:
    try:
        return call()
    except BillingRefused as exc:
        raise Refused(exc.status, exc.message, exc.code) from exc
    except stripe.StripeError as exc:
        raise Refused(
            502, "The payment provider did not answer. Nothing was changed; try again.", "stripe_unavailable"
        ) from exc


class BillingView(APIView):
    @extend_schema(
        responses={200: s.BillingSerializer, 403: FORBIDDEN},
        operation_id="billing_retrieve",
        summary="The workspace's plan, subscription status, usage and limits (owners)",
        description="Read from the platform's own records, never from Stripe, so it is cheap to poll. "
        "`limits` hold null for unlimited; `plans` are the plans the workspace can choose.",
    )
    def get(self, request: Request) -> Response:
        tenant = owner_tenant(request)
        return Response(overview_payload(billing_overview(tenant), public_plans()))


class CheckoutView(APIView):
    @extend_schema(
        request=s.CheckoutSerializer,
        responses={
            200: s.RedirectSerializer,
            400: OpenApiResponse(
                description="`unknown_plan` (no such public plan), `invalid_interval`, `free_plan` "
                "(the free plan needs no checkout), or `invalid` (`errors` names the fields)"
            ),
            403: FORBIDDEN,
            409: OpenApiResponse(description="`same_plan`: already subscribed to this plan and interval"),
            502: UNAVAILABLE,
        },
        summary="Start a subscription or change plan: a Stripe Checkout page to send the owner to",
        description="The quantity is the workspace's current seats. After paying, the owner comes back "
        "to `/settings/billing/?checkout=done`; the plan changes when Stripe's event is processed.",
    )
    def post(self, request: Request) -> Response:
        tenant = owner_tenant(request)
        query = valid(s.CheckoutSerializer, request.data)
        url = refusals_as_api_errors(
            lambda: checkout_url(client=tenant, plan_code=query["plan"], interval=query["interval"])
        )
        return Response({"url": url})


class PortalView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: s.RedirectSerializer,
            400: OpenApiResponse(description="`no_customer`: the workspace has never subscribed"),
            403: FORBIDDEN,
            502: UNAVAILABLE,
        },
        summary="Stripe's customer portal: payment method, plan and cancellation",
    )
    def post(self, request: Request) -> Response:
        tenant = owner_tenant(request)
        return Response({"url": refusals_as_api_errors(lambda: portal_url(client=tenant))})


class FreePlanView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: s.BillingSerializer,
            403: FORBIDDEN,
            409: OpenApiResponse(description="`not_canceled`, or `over_free_limits` naming what to reduce"),
        },
        operation_id="billing_free_create",
        summary="Go on with the free plan once the subscription has ended (owners)",
        description="A canceled workspace is read-only; this makes it writable again on the free plan, "
        "when its people, storage and domains fit that plan.",
    )
    def post(self, request: Request) -> Response:
        tenant = owner_tenant(request)
        refusals_as_api_errors(lambda: continue_on_free(client=tenant))
        return Response(overview_payload(billing_overview(tenant), public_plans()))


class InvoicesView(APIView):
    @extend_schema(
        parameters=[s.InvoicesQuerySerializer],
        responses={200: s.InvoicePageSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
        operation_id="billing_invoices_list",
        summary="The workspace's invoices, newest first (owners)",
        description="Keyset pages (never OFFSET): pass `next_before` as `before` for the next page; it "
        "is null on the last one.",
    )
    def get(self, request: Request) -> Response:
        tenant = owner_tenant(request)
        query = valid(s.InvoicesQuerySerializer, request.query_params)
        limit = query["limit"]
        rows = invoices_page(tenant, before=query.get("before"), limit=limit)
        page, more = rows[:limit], len(rows) > limit
        return Response(
            {"results": [invoice_payload(row) for row in page], "next_before": page[-1].pk if more else None}
        )
