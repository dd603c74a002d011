"""The domains page: list, add, check now, make primary, remove. Plain forms that post and
redirect back with a message, so it all works without JavaScript; the page's module adds copy
buttons and follows pending domains live through the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from config.ratelimit import consume
from tenants.domains.access import access_domain, require_domain_manager
from tenants.domains.actions import (
    do_add_domain,
    do_check_domain,
    do_make_primary,
    do_remove_domain,
    do_use_platform_host,
)
from tenants.domains.errors import DomainError
from tenants.domains.limits import domain_refusal
from tenants.domains.names import display_name
from tenants.domains.records import Record, records_for
from tenants.domains.selectors import live_domains, primary_host
from tenants.models import Client, CustomDomain
from tenants.people import Person
from tenants.urls_helpers import platform_host

P = ParamSpec("P")


class AddDomainForm(forms.Form):
    domain = forms.CharField(
        label="Domain",
        max_length=300,
        required=False,
        help_text="A subdomain of a domain you own, like chat.example.com.",
    )


@dataclass(frozen=True)
class DomainRow:
    claim: CustomDomain
    name: str
    is_primary: bool
    records: list[Record]


def manager_only(
    view: Callable[Concatenate[HttpRequest, Person, Client, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed out: the login page. Not an owner or admin: 403 with the reason."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        actor = require_domain_manager(request.user)
        return view(request, actor, cast(Client, request.tenant), *args, **kwargs)  # type: ignore[attr-defined]

    return wrapper


def _render(request: HttpRequest, tenant: Client, form: AddDomainForm, *, status: int = 200) -> HttpResponse:
    primary = primary_host(tenant)
    rows = [
        DomainRow(
            claim=claim,
            name=display_name(claim.domain),
            is_primary=claim.domain == primary,
            records=records_for(claim.domain, is_apex=claim.is_apex, token=claim.token),
        )
        for claim in live_domains(tenant)
    ]
    own = platform_host(tenant.slug)
    context: dict[str, Any] = {
        "section": "settings",
        "form": form,
        "rows": rows,
        "own_address": own,
        "own_is_primary": primary in (None, own),
        "following": any(row.claim.status == CustomDomain.Status.PENDING for row in rows),
        # Why no domain can be added now (the plan's limit, a read-only workspace): the form is off.
        "add_refused": domain_refusal(tenant),
    }
    return render(request, "tenants/domains.html", context, status=status)


@require_http_methods(["GET", "POST"])
@manager_only
def domains_page(request: HttpRequest, actor: Person, tenant: Client) -> HttpResponse:
    if request.method != "POST":
        return _render(request, tenant, AddDomainForm())
    form = AddDomainForm(request.POST)
    if form.is_valid():
        try:
            claim = do_add_domain(tenant=tenant, name=form.cleaned_data["domain"], created_by=actor.email)
        except DomainError as exc:
            form.add_error("domain", exc.message)
        else:
            messages.success(
                request, f"{display_name(claim.domain)} was added. Create the two records below; we check it for you."
            )
            return redirect("domains:settings")
    return _render(request, tenant, form, status=400)


def _attempt(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


@require_POST
@manager_only
def check_now(request: HttpRequest, actor: Person, tenant: Client, domain_id: int) -> HttpResponse:
    claim = access_domain(actor, tenant, domain_id)
    name = display_name(claim.domain)
    if consume(f"domain-check:{claim.pk}", limit=settings.DOMAINS_CHECKS_PER_MINUTE, window_seconds=60) is not None:
        messages.error(request, f"{name} was checked many times in the last minute. Try again in a minute.")
        return redirect("domains:settings")
    claim = do_check_domain(claim=claim)
    if claim.status == CustomDomain.Status.VERIFIED and not claim.problem:
        messages.success(request, f"{name} is verified and reaches your workspace.")
    else:
        messages.error(request, f"{name}: {claim.problem or 'not verified yet.'}")
    return redirect("domains:settings")


@require_POST
@manager_only
def make_primary(request: HttpRequest, actor: Person, tenant: Client, domain_id: int) -> HttpResponse:
    claim = access_domain(actor, tenant, domain_id)
    name = display_name(claim.domain)
    _attempt(request, lambda: do_make_primary(claim=claim), f"{name} is now your workspace's primary address.")
    return redirect("domains:settings")


@require_POST
@manager_only
def use_platform_host(request: HttpRequest, actor: Person, tenant: Client) -> HttpResponse:
    do_use_platform_host(tenant=tenant)
    messages.success(request, f"{platform_host(tenant.slug)} is your workspace's primary address again.")
    return redirect("domains:settings")


@require_POST
@manager_only
def remove(request: HttpRequest, actor: Person, tenant: Client, domain_id: int) -> HttpResponse:
    claim = access_domain(actor, tenant, domain_id)
    do_remove_domain(claim=claim)
    messages.success(request, f"{display_name(claim.domain)} was removed and no longer reaches your workspace.")
    return redirect("domains:settings")
