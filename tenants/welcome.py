"""The new owner's first page on their workspace's host: the sign-in handoff from sign-up.

The platform host cannot set this host's session (cookies are host-only, ARCHITECTURE.md rule
8), so the confirmed sign-up redirects here with a one-time secret (tenants.signups). Anything
wrong with it (used, expired, another workspace's) lands on the sign-in page instead, which
says the workspace is ready: the owner knows their password.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tenants.models import Client
from tenants.signups import do_redeem_handoff

# The one backend the product signs people in with (Django's default, by e-mail as username).
BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_safe
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    tenant = cast(Client, request.tenant)  # type: ignore[attr-defined]
    email = do_redeem_handoff(tenant=tenant, token=token)
    # The lookup runs in this host's schema: the handoff is bound to this tenant above.
    owner = get_user_model().objects.filter(email__iexact=email, is_active=True).first() if email else None
    if owner is None:
        return redirect("/login/?welcome=1")
    login(request, owner, backend=BACKEND)
    response = redirect("/")
    # The secret was in this page's URL: keep it out of the Referer of anything loaded next.
    response["Referrer-Policy"] = "no-referrer"
    return response
