"""`/api/documents/`: upload, list, one document, its text page by page, the original file, delete.

Every document answered is documents.payloads.document_payload, the object messages and the
WebSocket carry. A document the person may not read answers 404 like one that never existed.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, UserRateThrottle
from rest_framework.views import APIView

from chat.access import access_room, access_room_to_post
from config.api.common import BAD_INPUT, FORBIDDEN, NOT_FOUND, person, valid
from config.api.errors import Refused
from config.files import private_file
from documents.access import access_document, access_document_to_delete
from documents.actions.uploads import DocumentInUse, do_delete_document, do_upload_document
from documents.api import serializers as s
from documents.api.pages import page_number, page_payload, past_the_end, text_page
from documents.payloads import document_payload
from documents.selectors import document_list, text_pages
from documents.validation import UploadRejected

# Multipart framing around the file: a request longer than the limit by more is refused unread.
MULTIPART_ALLOWANCE = 64 * 1024

TOO_LARGE = OpenApiResponse(
    description="Larger than the upload limit (`too_large`), or a zip bomb (`unpacked_too_large`)"
)
UNSUPPORTED = OpenApiResponse(
    description="The content is no type we accept (`unsupported_type`), or not what its name says (`type_mismatch`)"
)
THROTTLED = OpenApiResponse(description="Too many uploads; `Retry-After` says when to try again")


class UploadThrottle(UserRateThrottle):
    """Uploads per person (DOCUMENTS_UPLOAD_RATE). Cache keys carry the tenant's schema."""

    scope = "uploads"

    def get_rate(self) -> str:
        return settings.DOCUMENTS_UPLOAD_RATE


class DocumentListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        return [*throttles, UploadThrottle()] if self.request.method == "POST" else throttles

    @extend_schema(
        parameters=[s.ListQuerySerializer],
        responses={200: s.DocumentPageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        operation_id="documents_list",
        summary="Documents you can read",
        description="Yours, those uploaded to rooms you can read, and those carried by messages in them; "
        "newest first. `room` keeps to one room. Keyset pages: pass `next_before` as `before`.",
    )
    def get(self, request: Request) -> Response:
        user = person(request)
        query = valid(s.ListQuerySerializer, request.query_params)
        room = access_room(user, query["room"]).room if query.get("room") else None
        page = document_list(user, room=room, before=query.get("before"), limit=query["limit"])
        return Response({"results": [document_payload(d) for d in page.documents], "next_before": page.next_before})

    @extend_schema(
        request={"multipart/form-data": s.UploadSerializer},
        responses={
            201: s.DocumentSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            413: TOO_LARGE,
            415: UNSUPPORTED,
            429: THROTTLED,
        },
        operation_id="documents_upload",
        summary="Upload a document",
        description="Multipart `file`, and optionally `room` (you must be able to post there) to share it with "
        "the room. The type is decided from the content, never the name. The answer comes at once with "
        "`status: pending`; text extraction follows in the background (`document.updated` on the socket). "
        "PDFs become searchable page by page.",
    )
    def post(self, request: Request) -> Response:
        user = person(request)
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit() and int(length) > settings.DOCUMENTS_MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE:
            raise Refused(413, too_large_sentence(), "too_large")
        data = valid(s.UploadSerializer, request.data)
        room = access_room_to_post(user, data["room"]).room if data.get("room") else None
        try:
            document = do_upload_document(tenant=request.tenant, uploader=user, upload=data["file"], room=room)
        except UploadRejected as refused:
            raise Refused(refused.status, refused.detail, refused.code) from refused
        return Response(document_payload(document), status=status.HTTP_201_CREATED)


def too_large_sentence() -> str:
    megabytes = settings.DOCUMENTS_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"This file is larger than the {megabytes:g} MB upload limit."


class DocumentView(APIView):
    @extend_schema(responses={200: s.DocumentSerializer, 404: NOT_FOUND}, summary="A document")
    def get(self, request: Request, pk: int) -> Response:
        return Response(document_payload(access_document(person(request), pk)))

    @extend_schema(
        responses={
            204: None,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Messages still carry it (`in_use`)"),
        },
        summary="Delete a document",
        description="Its uploader or a workspace admin, once no message carries it (deleting a message "
        "unlinks its documents). Its text and file go with it.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        document = access_document_to_delete(person(request), pk)
        try:
            do_delete_document(tenant=request.tenant, document=document)
        except DocumentInUse as exc:
            raise Refused(409, str(exc), "in_use") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentTextView(APIView):
    @extend_schema(
        parameters=[s.TextQuerySerializer],
        responses={200: s.TextSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="A document's text, page by page",
        description="The extracted text of up to `limit` pages from page `from` (1-based). While the document "
        "is still being read, pages appear as they are done. A `from` past the last page answers 404.",
    )
    def get(self, request: Request, pk: int) -> Response:
        document = access_document(person(request), pk)
        query = valid(s.TextQuerySerializer, request.query_params)
        refused = past_the_end(document, query["from"])
        if refused is not None:
            raise refused
        text = text_pages(document, start=query["from"], limit=query["limit"])
        pages = [page_payload(p) for p in text.pages]
        return Response(
            {"document": document.pk, "status": document.status, "pages": pages, "next_from": text.next_from}
        )


class DocumentPageView(APIView):
    @extend_schema(
        responses={200: s.TextPageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="One page of a document's text",
        description="Page `number` (1-based) with its text and `ocr` (the text was read from the page's "
        "image). Not a number: 400. Past the last page, or not read yet: 404 saying which.",
    )
    def get(self, request: Request, pk: int, number: str) -> Response:
        document = access_document(person(request), pk)
        return Response(page_payload(text_page(document, page_number(number))))


class DocumentDownloadView(APIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The original file"), 404: NOT_FOUND},
        summary="Download the original",
    )
    def get(self, request: Request, pk: int) -> object:
        document = access_document(person(request), pk)
        return private_file(
            document.file,
            missing="This document's file is missing.",
            content_type=document.content_type,
            download_as=document.name,
        )
