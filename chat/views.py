"""The chat app's page. Everything after the first paint comes from the REST API and the socket,
so the page carries only who is signed in and where to reach the server."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from chat.payloads import handle_of


def _me(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name(), "handle": handle_of(user), "is_admin": user.is_workspace_admin}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    config = {"me": _me(user), "socket_path": "/ws/chat/", "max_upload_bytes": settings.DOCUMENTS_MAX_UPLOAD_BYTES}
    return render(request, "chat/home.html", {"chat_config": config})
