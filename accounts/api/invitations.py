"""`/api/invitations/`: invite, list, resend and revoke (owners and admins), and accept (anyone
holding a link's secret). No response ever carries a secret or its hash."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import access_invitation
from accounts.actions import do_accept_invitation, do_invite, do_resend_invitation, do_revoke_invitation
from accounts.api.auth import TokenPair
from accounts.api.people import FORBIDDEN, manager
from accounts.api.serializers import (
    AcceptInvitationSerializer,
    InvitationListSerializer,
    InvitationSerializer,
    InviteSerializer,
)
from accounts.selectors import pending_invitations
from accounts.tokens import mint_tokens, token_pair
from config.api.errors import AccessDenied

INVALID = OpenApiResponse(description="Invalid input, or a rule refused it (already a member, too many e-mails)")
NO_INVITATION = OpenApiResponse(description="No such invitation in this workspace")


class InvitationListView(APIView):
    @extend_schema(
        responses={200: InvitationListSerializer, 403: FORBIDDEN},
        operation_id="invitations_list",
        summary="Pending invitations (owners and admins)",
        description="Not yet accepted or revoked, newest first; expired ones are listed with status "
        "`expired` and can be resent.",
    )
    def get(self, request: Request) -> Response:
        manager(request)
        return Response({"results": InvitationSerializer(pending_invitations(), many=True).data})

    @extend_schema(
        request=InviteSerializer,
        responses={201: InvitationSerializer, 400: INVALID, 403: FORBIDDEN},
        summary="Invite someone by e-mail",
        description="Admins may invite admins and members; owners may also invite owners. Inviting an "
        "address that has a pending invitation sends it again with a fresh link (the old one stops "
        "working). An address is sent at most a few e-mails per hour.",
    )
    def post(self, request: Request) -> Response:
        actor = manager(request)
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = do_invite(
            tenant=request.tenant, actor=actor, email=data.validated_data["email"], role=data.validated_data["role"]
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationView(APIView):
    @extend_schema(
        responses={200: InvitationSerializer, 403: FORBIDDEN, 404: NO_INVITATION},
        summary="An invitation (owners and admins)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(InvitationSerializer(access_invitation(manager(request), pk)).data)

    @extend_schema(
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NO_INVITATION},
        summary="Revoke an invitation: its link stops working",
    )
    def delete(self, request: Request, pk: int) -> Response:
        actor = manager(request)
        do_revoke_invitation(actor=actor, invitation=access_invitation(actor, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResendInvitationView(APIView):
    @extend_schema(
        request=None,
        responses={200: InvitationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NO_INVITATION},
        summary="Send an invitation again with a fresh link and expiry",
        description="The previously sent link stops working.",
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = manager(request)
        invitation = do_resend_invitation(tenant=request.tenant, actor=actor, invitation=access_invitation(actor, pk))
        return Response(InvitationSerializer(invitation).data)


class AcceptInvitationView(APIView):
    """Signs nobody in by session: the new account gets a token pair for this workspace."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=AcceptInvitationSerializer,
        responses={
            201: TokenPair,
            400: OpenApiResponse(
                description="Invalid input, a password the rules refuse (under `errors.password`), "
                "or the address already has an account"
            ),
            404: OpenApiResponse(
                description="Code `invalid_invitation`: the link is unknown in this workspace (another "
                "workspace's, mistyped), used, revoked, replaced by a resend, or expired"
            ),
        },
        summary="Accept an invitation: create the account and get a token pair",
    )
    def post(self, request: Request) -> Response:
        data = AcceptInvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = do_accept_invitation(
                tenant=request.tenant,
                token=data.validated_data["token"],
                name=data.validated_data["name"],
                password=data.validated_data["password"],
            )
        except AccessDenied as exc:
            # Not a permission matter: the link does not exist (any more) here.
            raise NotFound(exc.message, code=exc.code) from exc
        return Response(token_pair(mint_tokens(user, request.tenant)), status=status.HTTP_201_CREATED)
