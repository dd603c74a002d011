from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from branding.access import show_powered_by
from branding.preview import previewed_theme
from branding.theme import theme_for
from tenants.urls_helpers import platform_url


def brand(request: HttpRequest) -> dict[str, Any]:
    """`theme` for every template (the studio's preview theme on its preview pages); unknown
    hosts (no `request.tenant`) get the platform's. `show_powered_by` weighs the plan."""
    tenant = getattr(request, "tenant", None)
    theme = previewed_theme(request, default=lambda: theme_for(tenant))
    return {
        "theme": theme,
        "show_powered_by": show_powered_by(tenant=tenant, hide_requested=theme.hide_powered_by),
        "platform_name": settings.PLATFORM_NAME,
        "platform_domain": settings.PLATFORM_DOMAIN,
        "platform_url": platform_url(),
    }
