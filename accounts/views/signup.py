"""Open sign-up on a tenant host: ask for an account by e-mail, when the workspace allows it.

The page exists only while the tenant's `open_signup` is on (404 otherwise), and its answer is
the same for a new address and an existing account, so it reveals nobody's membership. The
address is proven by the link mailed by `do_request_signup` (an invitation, accepted at
/invite/<token>/).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actions import do_request_signup
from accounts.actions.seats import seat_refusal
from accounts.settings_forms import EmailForm, posted
from accounts.views.password import address_retry_after, too_many_attempts
from config.api.errors import Refused
from tenants.models import Client


def _open_tenant(request: HttpRequest) -> Client:
    tenant: Client = request.tenant  # type: ignore[attr-defined]
    if not tenant.open_signup:
        raise Http404("This workspace does not take sign-ups.")
    return tenant


@never_cache
@require_http_methods(["GET", "POST"])
def request_signup(request: HttpRequest) -> HttpResponse:
    tenant = _open_tenant(request)
    template = "accounts/signup.html"
    # A full or read-only workspace says so instead of taking addresses it could not let in.
    context = {"signup_domains": tenant.signup_domain_list, "refused": seat_refusal(tenant=tenant, join=True)}
    form = EmailForm(posted(request))
    if request.method == "POST" and context["refused"]:
        return render(request, template, {**context, "form": form}, status=402)
    if request.method == "POST" and form.is_valid():
        retry_after = address_retry_after(request, "open-signup")
        if retry_after is not None:
            return too_many_attempts(request, template, {**context, "form": form}, retry_after)
        try:
            do_request_signup(tenant=tenant, email=form.cleaned_data["email"])
        except ValidationError as exc:
            # Only the workspace's domain rule is refused here; it says nothing about accounts.
            form.add_error(None, exc)
        except Refused as exc:
            context["refused"] = str(exc.detail)
            return render(request, template, {**context, "form": form}, status=402)
        else:
            return redirect("accounts:signup-sent")
    return render(request, template, {**context, "form": form}, status=400 if form.is_bound else 200)


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    _open_tenant(request)
    return render(request, "accounts/signup_sent.html")
