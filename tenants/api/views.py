"""`/api/domains/` on tenant hosts: the workspace's custom domains, for its owners and admins.

Views parse, check access (tenants.domains.access) and call the actions; a refusal becomes
`{"detail", "code"}` with its status (400 for a name that cannot be claimed, 409 when it is
taken or the state does not allow it, 402 `plan_limit` over the limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import Refused
from config.ratelimit import consume
from tenants.api.serializers import AddDomainSerializer, DomainListSerializer, DomainSerializer, domain_payload
from tenants.domains.access import access_domain, require_domain_manager
from tenants.domains.actions import (
    do_add_domain,
    do_check_domain,
    do_make_primary,
    do_remove_domain,
    do_use_platform_host,
)
from tenants.domains.errors import DomainError
from tenants.domains.selectors import live_domains, primary_domains
from tenants.models import Client, CustomDomain
from tenants.people import Person

T = TypeVar("T")

FORBIDDEN = OpenApiResponse(description="Signed in, but not an owner or admin of this workspace")
NOT_FOUND = OpenApiResponse(description="No such domain in this workspace")
REFUSED = OpenApiResponse(
    description="The name cannot be claimed; `code` says why: `empty`, `invalid_characters`, `invalid_domain`, "
    "`ip_address`, `localhost`, `platform_domain`, `wildcard`, `single_label`, `label_too_long`, "
    "`name_too_long`, `public_suffix`, `unknown_tld`, `apex_unsupported`"
)
CONFLICT = OpenApiResponse(
    description="`domain_taken` (another workspace holds it), `already_added`, or `not_verified` "
    "(only a verified domain can be primary)"
)


def refusals_as_api_errors(call: Callable[[], T]) -> T:
    try:
        return call()
    except DomainError as exc:
        raise Refused(exc.status, exc.message, exc.code, **exc.extra) from exc


def manager(request: Request) -> Person:
    if not isinstance(request.user, Person):
        raise NotAuthenticated
    return require_domain_manager(request.user)


def tenant_of(request: Request) -> Client:
    return cast(Client, request.tenant)  # set by TenantHostMiddleware


def payload(claim: CustomDomain) -> dict[str, Any]:
    return domain_payload(claim, is_primary=bool(primary_domains(claim.tenant, [claim.domain])))


class DomainListView(APIView):
    @extend_schema(
        responses={200: DomainListSerializer, 403: FORBIDDEN},
        operation_id="domains_list",
        summary="The workspace's custom domains (owners and admins)",
        description="Every domain not removed, by name, with the DNS records to create and the state "
        "of their verification.",
    )
    def get(self, request: Request) -> Response:
        manager(request)
        tenant = tenant_of(request)
        claims = list(live_domains(tenant))
        primary = primary_domains(tenant, [claim.domain for claim in claims])
        results = [domain_payload(claim, is_primary=claim.domain in primary) for claim in claims]
        return Response({"results": results})

    @extend_schema(
        request=AddDomainSerializer,
        responses={
            201: DomainSerializer,
            400: REFUSED,
            402: OpenApiResponse(description="`plan_limit`: the workspace has as many domains as it may"),
            403: FORBIDDEN,
            409: CONFLICT,
        },
        summary="Add a custom domain",
        description="Any spelling is accepted (case, a trailing dot, Unicode or A-label) and stored in its "
        "IDNA A-label form. The domain starts `pending`; create the records shown and it is verified "
        "within minutes (checked at once, then with backoff for 72 hours).",
    )
    def post(self, request: Request) -> Response:
        actor = manager(request)
        data = AddDomainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = refusals_as_api_errors(
            lambda: do_add_domain(tenant=tenant_of(request), name=data.validated_data["domain"], created_by=actor.email)
        )
        return Response(domain_payload(claim, is_primary=False), status=status.HTTP_201_CREATED)


class DomainView(APIView):
    @extend_schema(responses={200: DomainSerializer, 403: FORBIDDEN, 404: NOT_FOUND}, summary="A custom domain")
    def get(self, request: Request, pk: int) -> Response:
        return Response(payload(access_domain(manager(request), tenant_of(request), pk)))

    @extend_schema(
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Remove a custom domain",
        description="It stops routing at once; if it was primary, the workspace's own address is again.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        claim = access_domain(manager(request), tenant_of(request), pk)
        do_remove_domain(claim=claim)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DomainVerifyView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: DomainSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: OpenApiResponse(description="Too often"),
        },
        summary="Check a domain's DNS now",
        description="Answers with the domain after the check: `verified`, or `problem` saying what is wrong. "
        "Works on failed domains too.",
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = access_domain(manager(request), tenant_of(request), pk)
        wait = consume(f"domain-check:{claim.pk}", limit=settings.DOMAINS_CHECKS_PER_MINUTE, window_seconds=60)
        if wait is not None:
            raise Throttled(wait=wait, detail="This domain was checked many times in the last minute. Try again soon.")
        return Response(payload(do_check_domain(claim=claim)))


class DomainPrimaryView(APIView):
    @extend_schema(
        request=None,
        responses={200: DomainSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        summary="Make a verified domain the workspace's primary host",
        description="Every other host of the workspace then redirects there, and links in e-mails name it.",
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = access_domain(manager(request), tenant_of(request), pk)
        return Response(payload(refusals_as_api_errors(lambda: do_make_primary(claim=claim))))

    @extend_schema(
        request=None,
        responses={200: DomainSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Stop using a domain as primary: the workspace's own address is primary again",
    )
    def delete(self, request: Request, pk: int) -> Response:
        claim = access_domain(manager(request), tenant_of(request), pk)
        if primary_domains(claim.tenant, [claim.domain]):
            do_use_platform_host(tenant=claim.tenant)
        return Response(payload(claim))
