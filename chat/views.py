"""The chat app's page. Everything after the first paint comes from the REST API and the socket,
so the page carries only who is signed in and where to reach the server."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from accounts.notifications import client_config
from chat.attachments import registered
from chat.markdown import MAX_BODY_LENGTH
from chat.payloads import handle_of
from config import limits
from config.api.errors import Refused
from tenants.models import Client


def _me(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name(), "handle": handle_of(user), "is_admin": user.is_workspace_admin}


def _read_only(tenant: Client) -> str | None:
    """Why nobody can post in this workspace now (its subscription ended or is unpaid), or None:
    the composer is shown off with that sentence."""
    try:
        limits.check_writable(tenant)
    except Refused as exc:
        return str(exc.detail)
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tenant: Client = request.tenant  # type: ignore[attr-defined]
    config = {
        "me": _me(user),
        "socket_path": "/ws/chat/",
        "read_only": _read_only(tenant),
        "max_body_length": MAX_BODY_LENGTH,
        # Whether to show browser notifications and play the sound (static/js/chat/notify.js).
        "notifications": client_config(user),
        **registered().page_settings(tenant),
    }
    return render(request, "chat/home.html", {"chat_config": config})
