"""`/api/brand/`: the published brand for everyone signed in; the draft, its images, publishing,
the history and restoring for owners and admins. Everything is the Host's tenant's own: brand
rows live in its schema, and asset URLs are on its primary domain."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, UserRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from branding.access import check_context, require_brand_editor, show_powered_by
from branding.actions import (
    NothingToPublish,
    do_add_brand_image,
    do_publish_brand,
    do_restore_brand_version,
    do_update_draft,
)
from branding.api import serializers as s
from branding.colours import LIGHT_SURFACE, contrast_ratio, shown_ratio, text_on
from branding.image_errors import ImageRejected
from branding.images import process_brand_image
from branding.models import BrandVersion
from branding.palette import check_contrast, expand_palette
from branding.payloads import current_draft_payload, published_payload, url_builder, version_payload
from branding.selectors import draft, published_version, version_by_number, versions_page
from branding.validation import BrandRefused, LowContrast, check_draft_changes, clean_colour, problem_payload
from config.api.common import BAD_INPUT, person, valid
from config.api.errors import Refused

FORBIDDEN = OpenApiResponse(description="Not an owner or admin")
REFUSED = OpenApiResponse(
    description="A rule refused the change: `low_contrast` (with `ratio`, `required`, `suggestion`), "
    "`css_*` (with `line`, `column`), `invalid_colour`, `too_long`, `invalid_url`..."
)
# Multipart framing around an image: a request longer than the limit by more is refused unread.
MULTIPART_ALLOWANCE = 64 * 1024
# Image refusals that are about the size or the type answer with their own status.
IMAGE_STATUS = {"too_large": 413, "unsupported_type": 415}


def editor(request: Request) -> User:
    user = person(request)
    require_brand_editor(user)
    return user


def refused(exc: BrandRefused | LowContrast) -> Refused:
    payload = exc.payload()
    detail, code = payload.pop("detail"), payload.pop("code")
    return Refused(getattr(exc, "status", 400), detail, code, **payload)


class BrandView(APIView):
    @extend_schema(responses={200: s.BrandSerializer}, summary="The published brand", operation_id="brand_read")
    def get(self, request: Request) -> Response:
        person(request)
        version = published_version()
        if version is None:
            raise Refused(404, "This workspace has no published brand yet.", "not_found")
        theme_hides = bool(version.values.get("hide_powered_by"))
        payload = published_payload(
            version,
            url_for=url_builder(request.tenant),
            show_powered_by=show_powered_by(tenant=request.tenant, hide_requested=theme_hides),
        )
        return Response(payload)


class DraftView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses={200: s.BrandDraftSerializer, 403: FORBIDDEN}, summary="The draft (owners and admins)")
    def get(self, request: Request) -> Response:
        editor(request)
        return Response(current_draft_payload(request.tenant))

    @extend_schema(
        request=s.BrandDraftUpdateSerializer,
        responses={
            200: s.BrandDraftSerializer,
            400: REFUSED,
            402: OpenApiResponse(description="`plan_limit`"),
            403: FORBIDDEN,
        },
        summary="Change the draft",
        description="Send any fields; the others keep their value. Nothing is shown to people until the "
        "draft is published. Colours must reach WCAG AA contrast (4.5:1 for text on them, 3:1 against the "
        "page) unless `accept_low_contrast` is true; the refusal suggests the nearest colour that passes.",
    )
    def patch(self, request: Request) -> Response:
        actor = editor(request)
        if not isinstance(request.data, dict):
            raise Refused(400, "Send the changes as a JSON object.", "invalid")
        brand = draft()
        try:
            changes = check_draft_changes(request.data, context=check_context(tenant=request.tenant, brand=brand))
        except (BrandRefused, LowContrast) as exc:
            raise refused(exc) from exc
        if changes:
            do_update_draft(tenant=request.tenant, actor=actor, changes=changes)
        return Response(current_draft_payload(request.tenant))


class ImageUploadThrottle(UserRateThrottle):
    scope = "brand_images"

    def get_rate(self) -> str:
        return settings.BRAND_IMAGE_UPLOAD_RATE


class DraftImageView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_throttles(self) -> list[BaseThrottle]:
        return [*super().get_throttles(), ImageUploadThrottle()]

    @extend_schema(
        request={"multipart/form-data": s.BrandImageUploadSerializer},
        responses={
            201: s.BrandDraftSerializer,
            400: OpenApiResponse(description="`too_many_pixels`, `too_small`, `corrupt`, `svg_*` (an unsafe SVG)..."),
            403: FORBIDDEN,
            413: OpenApiResponse(description="Larger than the limit for that kind of image (`too_large`)"),
            415: OpenApiResponse(description="Not a PNG, JPEG, WebP or SVG (`unsupported_type`)"),
            429: OpenApiResponse(description="Too many uploads"),
        },
        summary="Upload an image of the draft",
        description="`kind` is one of logo, logo_dark, icon, icon_dark, login_background. The type is "
        "judged by the content, never the name; images are re-encoded, SVGs refused unless they hold "
        "nothing that could run or load anything. An icon also yields the favicon set.",
    )
    def post(self, request: Request) -> Response:
        actor = editor(request)
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit() and int(length) > settings.BRAND_IMAGE_MAX_BYTES + MULTIPART_ALLOWANCE:
            raise Refused(413, "This image is too large to upload.", "too_large")
        data = valid(s.BrandImageUploadSerializer, request.data)
        upload = data["file"]
        if upload.size is not None and upload.size > settings.BRAND_IMAGE_MAX_BYTES:
            raise Refused(413, "This image is too large to upload.", "too_large")
        try:
            image = process_brand_image(upload.read(), kind=data["kind"])
        except ImageRejected as exc:
            raise Refused(IMAGE_STATUS.get(exc.code, 400), exc.message, exc.code) from exc
        do_add_brand_image(tenant=request.tenant, actor=actor, kind=data["kind"], image=image)
        return Response(current_draft_payload(request.tenant), status=status.HTTP_201_CREATED)


class PublishView(APIView):
    @extend_schema(
        request=None,
        responses={201: s.BrandVersionSerializer, 403: FORBIDDEN, 409: OpenApiResponse(description="`unchanged`")},
        summary="Publish the draft",
        description="The draft becomes the next version; every page, e-mail and the manifest use it at once.",
    )
    def post(self, request: Request) -> Response:
        actor = editor(request)
        try:
            version = do_publish_brand(tenant=request.tenant, actor=actor)
        except NothingToPublish as exc:
            raise Refused(409, exc.messages[0], "unchanged") from exc
        return Response(version_payload(version, url_for=url_builder(request.tenant)), status=status.HTTP_201_CREATED)


class VersionsView(APIView):
    @extend_schema(
        parameters=[s.BrandVersionsQuerySerializer],
        responses={200: s.BrandVersionPageSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
        summary="Published versions, newest first",
        description="Who published what, when. Keyset pages: pass `next_before` as `before`.",
    )
    def get(self, request: Request) -> Response:
        editor(request)
        query = valid(s.BrandVersionsQuerySerializer, request.query_params)
        page = versions_page(before=query.get("before"), limit=query["limit"])
        url_for = url_builder(request.tenant)
        return Response(
            {"results": [version_payload(v, url_for=url_for) for v in page.versions], "next_before": page.next_before}
        )


class RestoreView(APIView):
    @extend_schema(
        request=s.BrandRestoreSerializer,
        responses={200: s.BrandDraftSerializer, 403: FORBIDDEN, 404: OpenApiResponse(description="No such version")},
        summary="Make a version the draft again",
        description="With `publish: true` it is also published at once, as a new version.",
    )
    def post(self, request: Request, number: int) -> Response:
        actor = editor(request)
        options = valid(s.BrandRestoreSerializer, request.data)
        if version_by_number(number) is None:
            raise Refused(404, f"There is no version {number}.", "not_found")
        try:
            do_restore_brand_version(tenant=request.tenant, actor=actor, number=number, publish=options["publish"])
        except BrandVersion.DoesNotExist as exc:
            raise Refused(404, f"There is no version {number}.", "not_found") from exc
        return Response(current_draft_payload(request.tenant))


class ContrastView(APIView):
    @extend_schema(
        parameters=[s.BrandContrastQuerySerializer],
        responses={200: s.BrandContrastSerializer, 400: REFUSED, 403: FORBIDDEN},
        summary="Check two colours",
        description="The WCAG contrast of a primary and an accent colour as the pages use them, what fails "
        "and the nearest passing colour, and the palette they expand to.",
    )
    def get(self, request: Request) -> Response:
        editor(request)
        query = valid(s.BrandContrastQuerySerializer, request.query_params)
        try:
            primary = clean_colour("primary_colour", query["primary_colour"])
            accent = clean_colour("accent_colour", query["accent_colour"])
        except BrandRefused as exc:
            raise refused(exc) from exc
        problems = check_contrast(primary=primary, accent=accent)
        palette = expand_palette(primary=primary, accent=accent)
        return Response(
            {
                "problems": [problem_payload(p) for p in problems],
                "ratios": {
                    "primary_on_surface": shown_ratio(contrast_ratio(primary, LIGHT_SURFACE)),
                    "primary_text": shown_ratio(contrast_ratio(primary, text_on(primary))),
                    "accent_on_surface": shown_ratio(contrast_ratio(accent, LIGHT_SURFACE)),
                    "accent_text": shown_ratio(contrast_ratio(accent, text_on(accent))),
                },
                "palette": {"light": palette.light, "dark": palette.dark},
            }
        )
