from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from branding.theme import Theme, current_theme


def brand(request: HttpRequest) -> dict[str, Theme | str]:
    tenant = getattr(request, "tenant", None)
    name = getattr(tenant, "name", "") or settings.PLATFORM_DOMAIN
    return {"theme": current_theme(name), "platform_domain": settings.PLATFORM_DOMAIN}
