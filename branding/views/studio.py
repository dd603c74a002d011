"""The brand studio (`/settings/brand/`) and its live preview.

The page is drawn here with the draft and the first page of the history embedded; the form then
talks to `/api/brand/`. The previews are the real templates (the sign-in page, the chat app,
the invitation e-mail) drawn with the studio's unsaved values, in sandboxed frames of the same
origin (X-Frame-Options SAMEORIGIN on these views only; every other page keeps DENY).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from accounts.forms import EmailAuthenticationForm
from accounts.models import User
from branding.access import check_context, require_brand_editor, show_powered_by
from branding.emails import render_branded_email
from branding.payloads import current_draft_payload, url_builder, version_payload
from branding.preview import preview_theme, preview_values, store_preview, with_preview_theme
from branding.selectors import draft, versions_page
from branding.theme import Theme
from branding.values import ASSET_LABELS
from tenants.models import Client

View = Callable[[HttpRequest], HttpResponse]
TokenView = Callable[[HttpRequest, str], HttpResponse]
# What each image is for, under its label in the studio.
IMAGE_HINTS = {
    "logo": "On the sign-in page, in e-mails and on a light top bar. A wide image with a transparent background.",
    "logo_dark": "For dark mode and a dark top bar: a light version of the wordmark.",
    "icon": "A square image beside the name; it also becomes the favicon and the home-screen icon.",
    "icon_dark": "The icon for dark mode.",
    "login_background": "A photo or pattern behind the sign-in card.",
}
COLOUR_FIELDS = [
    ("primary_colour", "Primary colour", "Buttons, links, the top bar, selected items and focus rings."),
    ("accent_colour", "Accent colour", "Highlights: search matches and the sign-up page's gradients."),
]
# The preview frames: (surface, title, sandbox). The sign-in page and the e-mail run nothing and
# cannot submit; the chat preview is the real app, so it runs scripts, and the frame is inert.
PREVIEW_FRAMES = [
    ("login", "Preview of the sign-in page", ""),
    ("chat", "Preview of the chat app", "allow-scripts allow-same-origin"),
    ("email", "Preview of the invitation e-mail", ""),
]


def _editor(request: HttpRequest) -> tuple[User, Client]:
    user = cast(User, request.user)
    require_brand_editor(user)
    return user, cast(Client, request.tenant)  # type: ignore[attr-defined]


@login_required
@require_safe
def studio(request: HttpRequest) -> HttpResponse:
    _, tenant = _editor(request)
    history = versions_page()
    url_for = url_builder(tenant)
    state = {
        "draft": current_draft_payload(tenant),
        "versions": [version_payload(v, url_for=url_for) for v in history.versions],
        "next_before": history.next_before,
        "labels": ASSET_LABELS,
        "urls": {
            "api": "/api/brand/",
            "preview": reverse("brand-preview"),
        },
    }
    images = [
        {"kind": kind, "label": label, "hint": IMAGE_HINTS[kind], "dark": kind.endswith("_dark")}
        for kind, label in ASSET_LABELS.items()
    ]
    context = {
        "section": "settings",
        "studio_state": state,
        "images": images,
        "image_max_bytes": settings.BRAND_IMAGE_MAX_BYTES,
        "colour_fields": COLOUR_FIELDS,
        "preview_frames": PREVIEW_FRAMES,
        # The studio is drawn with the published brand but never its custom CSS, so a stylesheet
        # that breaks pages can always be mended here.
        "without_custom_css": True,
    }
    return render(request, "branding/studio.html", context)


@login_required
@require_POST
def make_preview(request: HttpRequest) -> JsonResponse:
    """Store the form's unsaved values for the preview frames; answers their URLs."""
    user, tenant = _editor(request)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return JsonResponse({"detail": "Send the form's values as a JSON object.", "code": "invalid"}, status=400)
    brand = draft()
    values = preview_values(data, brand=brand, context=check_context(tenant=tenant, brand=brand))
    token = store_preview(user=user, values=values)
    urls = {surface: reverse(f"brand-preview-{surface}", args=[token]) for surface in ("login", "chat", "email")}
    return JsonResponse({"token": token, "urls": urls})


def _theme_or_404(request: HttpRequest, token: str) -> Theme:
    user, _ = _editor(request)
    theme = preview_theme(user=user, token=token)
    if theme is None:
        raise Http404("This preview has expired; change a field to draw it again.")
    return theme


@login_required
@require_safe
@xframe_options_sameorigin
def preview_login(request: HttpRequest, token: str) -> HttpResponse:
    theme = _theme_or_404(request, token)
    with_preview_theme(request, theme)
    context = {"form": EmailAuthenticationForm(request), "next": "", "open_signup": False, "preview": True}
    return render(request, "accounts/login.html", context)


@login_required
@require_safe
@xframe_options_sameorigin
def preview_email(request: HttpRequest, token: str) -> HttpResponse:
    user, tenant = _editor(request)
    theme = _theme_or_404(request, token)
    email = render_branded_email(
        tenant=tenant,
        to="new.colleague@example.com",
        template="invitation",
        context={
            "inviter_name": user.get_full_name(),
            "role_label": "Member",
            "url": url_builder(tenant)("/invite/…/"),
            "expires_at": timezone.now() + timedelta(days=7),
        },
        theme=theme,
        show_powered_by=show_powered_by(tenant=tenant, hide_requested=theme.hide_powered_by),
    )
    return HttpResponse(email.html)


def preview_chat(view: View) -> TokenView:
    """The chat app's own view, drawn with the preview's theme (wired in config.urls_tenant, which
    sits above both apps)."""

    @login_required
    @require_safe
    @xframe_options_sameorigin
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        with_preview_theme(request, _theme_or_404(request, token))
        return view(request)

    return wrapped
