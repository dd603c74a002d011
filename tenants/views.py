"""Pages of the platform host: the landing page, self-serve sign-up (which mails a link and
creates the workspace only when the link is followed: tenants.signups) and "find your
workspace" (tenants.finding)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.ratelimit import client_address, consume
from tenants.finding import do_request_workspace_list
from tenants.forms import FindWorkspaceForm, WorkspaceForm, add_errors
from tenants.signups import Confirmation, Outcome, check_pending, do_confirm_signup, do_start_signup, find_pending
from tenants.urls_helpers import platform_host, tenant_url

# The address the last sign-up from this browser mailed, for the "check your e-mail" page.
SENT_TO_SESSION_KEY = "signup_sent_to"


def _too_many(request: HttpRequest, template: str, form: Form, what: str, retry_after: int) -> HttpResponse:
    """The form again, 429, saying when to come back: a limit per network address."""
    minutes = max(retry_after // 60, 1)
    form.add_error(None, f"Too many {what} came from your network. Try again in {minutes} minutes.")
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry_after = consume(
            f"signup:{client_address(request.META)}",
            limit=settings.SIGNUP_LIMIT_PER_HOUR,
            window_seconds=3600,
        )
        if retry_after is not None:
            return _too_many(request, "tenants/signup.html", form, "sign-ups", retry_after)
        data = form.cleaned_data
        try:
            do_start_signup(
                name=data["name"],
                slug=data["slug"],
                owner_name=data["owner_name"],
                email=data["owner_email"],
                password=data["password"],
            )
        except ValidationError as exc:  # the address was taken since validation
            add_errors(form, exc)
        else:
            request.session[SENT_TO_SESSION_KEY] = data["owner_email"].lower()
            return redirect("signup-sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/signup.html", {"form": form}, status=status)


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/signup_sent.html", {"email": request.session.get(SENT_TO_SESSION_KEY, "")})


# A link that cannot create a workspace: the page and its status.
PROBLEM_STATUS = {Outcome.INVALID: 404, Outcome.EXPIRED: 410, Outcome.USED: 409, Outcome.TAKEN: 409}


def _problem(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    pending = confirmation.pending
    context = {
        "outcome": confirmation.outcome.value,
        "login_url": tenant_url(confirmation.client, "/login/") if confirmation.client else "",
        "workspace_host": platform_host(pending.slug) if pending else "",
    }
    return render(request, "tenants/signup_link_problem.html", context, status=PROBLEM_STATUS[confirmation.outcome])


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link will create and a button; only the POST creates it, so a mail
    scanner that opens every link (and follows redirects) provisions nothing and uses up no
    sign-in handoff."""
    if request.method == "POST":
        confirmation = do_confirm_signup(token=token)
        if confirmation.outcome is Outcome.CREATED:
            return HttpResponseRedirect(confirmation.next_url)
        return _problem(request, confirmation)
    pending = find_pending(token)
    refusal = check_pending(pending)
    if refusal is not None:
        return _problem(request, refusal)
    assert pending is not None  # checked by check_pending
    context = {"pending": pending, "workspace_host": platform_host(pending.slug)}
    return render(request, "tenants/signup_confirm.html", context)


# Lookups per network address and hour; each one asks every workspace's schema.
FIND_LIMIT_PER_HOUR = 10


@never_cache
@require_http_methods(["GET", "POST"])
def find_workspace(request: HttpRequest) -> HttpResponse:
    """One e-mail address in; the same page whether or not it has workspaces (the list goes to
    the mailbox only), so the form tells nobody who has an account where."""
    form = FindWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry_after = consume(f"find:{client_address(request.META)}", limit=FIND_LIMIT_PER_HOUR, window_seconds=3600)
        if retry_after is not None:
            return _too_many(request, "tenants/find.html", form, "look-ups", retry_after)
        do_request_workspace_list(email=form.cleaned_data["email"])
        return render(request, "tenants/find_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "tenants/find.html", {"form": form}, status=400 if form.is_bound else 200)
