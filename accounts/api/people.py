"""`/api/people/`: the tenant's directory for owners and admins, and changes to a person.

Ids are looked up in the schema of the Host's tenant only: the same id names a different person
(or nobody) on every other tenant, and never reaches across.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import access_user, require_people_manager
from accounts.actions import do_change_role, do_deactivate_user, do_reactivate_user
from accounts.api.serializers import (
    PeoplePageSerializer,
    PeopleQuerySerializer,
    PersonSerializer,
    PersonUpdateSerializer,
)
from accounts.models import User
from accounts.selectors import people_page

FORBIDDEN = OpenApiResponse(description="Not an owner or admin, or a rule of the roles refused the change")
NOT_FOUND = OpenApiResponse(description="No such person in this workspace")


def manager(request: Request) -> User:
    """The signed-in owner or admin making the request; AccessDenied (403) for anyone else."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    require_people_manager(user)
    return user


class PeopleListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of a name or e-mail, any case"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="`next` of the previous page"),
        ],
        responses={200: PeoplePageSerializer, 403: FORBIDDEN},
        operation_id="people_list",
        summary="List people (owners and admins)",
        description="Everyone in the workspace, deactivated people included, ordered by e-mail. "
        "Keyset pages: pass the response's `next` as `cursor` until it is null.",
    )
    def get(self, request: Request) -> Response:
        manager(request)
        query = PeopleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = people_page(q=query.validated_data["q"], after=query.validated_data["cursor"])
        return Response(
            {
                "results": PersonSerializer(page.people, many=True).data,
                "next": page.next.encode() if page.next else None,
            }
        )


class PersonView(APIView):
    @extend_schema(
        responses={200: PersonSerializer, 403: FORBIDDEN, 404: NOT_FOUND}, summary="A person (owners and admins)"
    )
    def get(self, request: Request, pk: int) -> Response:
        person = access_user(manager(request), pk)
        return Response(PersonSerializer(person).data)

    @extend_schema(
        request=PersonUpdateSerializer,
        responses={
            200: PersonSerializer,
            400: OpenApiResponse(description="Invalid input, or another active account has the e-mail (reactivation)"),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Change a person's role, or deactivate or reactivate them",
        description="Owners manage everyone; admins manage admins and members. Nobody deactivates "
        "themselves, and the last active owner can be neither demoted nor deactivated (403, code "
        "`last_owner`). Deactivation ends the person's sessions and tokens at once. When both fields "
        "are sent, both changes happen or neither does.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        actor = manager(request)
        person = access_user(actor, pk)
        changes = PersonUpdateSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        role, is_active = changes.validated_data.get("role"), changes.validated_data.get("is_active")
        with transaction.atomic():
            if role is not None:
                person = do_change_role(actor=actor, user=person, role=role)
            if is_active is False:
                person = do_deactivate_user(tenant=request.tenant, actor=actor, user=person)
            elif is_active is True:
                person = do_reactivate_user(tenant=request.tenant, actor=actor, user=person)
        return Response(PersonSerializer(person).data)
