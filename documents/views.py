"""The document pages of tenant hosts: the list (with its upload form) and the viewer.

Both pages carry their first state as JSON (the same payloads as the API) and draw everything
with the scripts of static/js/documents/, which then follow the API and the socket. Access is
checked here, on the server, before anything of a document reaches the page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from accounts.payloads import author_payload
from documents.access import access_document
from documents.payloads import document_payload
from documents.selectors import document_list

LIST_PAGE = 30


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
        "max_upload_bytes": settings.DOCUMENTS_MAX_UPLOAD_BYTES,
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
    }
    context = {"document": document, "documents_config": config, "script": "js/documents/viewer.js"}
    return render(request, "documents/viewer.html", context)
