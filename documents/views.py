"""The document pages of tenant hosts: the list (with its upload form) and the viewer.

Both pages carry their first state as JSON (the same payloads as the API) and draw everything
with the scripts of static/js/documents/, which then follow the API and the socket. Access is
checked here, on the server, before anything of a document reaches the page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from accounts.payloads import author_payload
from config import limits
from config.api.errors import Refused
from documents.access import access_document, may_delete_document
from documents.models import Document
from documents.payloads import document_payload
from documents.selectors import document_list
from tenants.models import Client

LIST_PAGE = 30


def upload_settings(tenant: Client) -> dict[str, Any]:
    """What upload controls show (the documents page, the chat's composer): the largest file the
    plan takes, and `upload_refused`, why no upload can be taken now (the workspace is read-only,
    or its storage is full), so the control is off before anyone tries."""
    refused: str | None = None
    try:
        limits.check_writable(tenant)
        if limits.limit_of(tenant, "storage_bytes") is not None:
            used = Document.objects.aggregate(total=Sum("size"))["total"] or 0
            limits.check_room(tenant, "storage_bytes", used=used)
    except Refused as exc:
        refused = str(exc.detail)
    return {
        "max_upload_bytes": limits.limit_of(tenant, "upload_bytes") or settings.DOCUMENTS_MAX_UPLOAD_BYTES,
        "upload_refused": refused,
    }


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@login_required
def document_list_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    first = document_list(user, limit=LIST_PAGE)
    config: dict[str, Any] = {
        "me": author_payload(user),
        "socket_path": "/ws/chat/",
        "documents": [document_payload(document) for document in first.documents],
        "next_before": first.next_before,
        "page_size": LIST_PAGE,
        # Owners and admins may delete anyone's document; everyone may delete their own.
        "delete_any": user.is_workspace_admin,
        **upload_settings(request.tenant),  # type: ignore[attr-defined]
    }
    return render(request, "documents/list.html", {"documents_config": config, "script": "js/documents/list.js"})


@login_required
def viewer(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    document = access_document(user, pk)
    config: dict[str, Any] = {
        "me": author_payload(user),
        "socket_path": "/ws/chat/",
        "document": document_payload(document),
        "page": _page_number(request.GET.get("page")),
        "q": request.GET.get("q", "")[:200],
        "can_delete": may_delete_document(user, document),
    }
    context = {"document": document, "documents_config": config, "script": "js/documents/viewer.js"}
    return render(request, "documents/viewer.html", context)
