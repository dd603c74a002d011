from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from branding.theme import Theme, theme_for


def brand(request: HttpRequest) -> dict[str, Theme | str]:
    """`theme` for every template; unknown hosts (no `request.tenant`) get the platform's."""
    return {"theme": theme_for(getattr(request, "tenant", None)), "platform_domain": settings.PLATFORM_DOMAIN}
