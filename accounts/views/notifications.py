"""The digest e-mail's unsubscribe link: it works without signing in (a signed token, see
accounts.notifications), on the host of the tenant that sent it only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.actions.notifications import do_turn_digest_off
from accounts.models import User
from accounts.notifications import BadToken, read_unsubscribe_token


# Mail clients send the one-click unsubscribe (RFC 8058, `List-Unsubscribe-Post`) as a POST with
# no session and no CSRF token; the signed token is what authorises it, and all it can do is
# turn one person's digest off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link asks (a GET changes nothing: mail scanners open every link they see); the
    page's button, or a mail client's one-click POST, turns the digest off and says so. A
    tampered token is a 400; another tenant's token, or a person no longer here, a 404, and
    nothing changes."""
    try:
        claim = read_unsubscribe_token(token)
    except BadToken:
        return render(request, "accounts/unsubscribe.html", {"state": "invalid"}, status=400)
    tenant = getattr(request, "tenant", None)
    user = User.objects.filter(pk=claim.user_id, is_active=True).first()
    if tenant is None or claim.tenant_id != tenant.pk or user is None:
        return render(request, "accounts/unsubscribe.html", {"state": "unknown"}, status=404)
    if request.method == "GET":
        return render(request, "accounts/unsubscribe.html", {"state": "confirm", "person": user})
    do_turn_digest_off(user=user)
    return render(request, "accounts/unsubscribe.html", {"state": "done", "person": user})
