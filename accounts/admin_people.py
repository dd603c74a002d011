"""Accounts' part of the client admin (tenants.admin.extend_client_admin): a tenant's people,
from its client page. Staff search them, send one a password reset and lift sign-in locks.
Runs on the platform host; each read or write enters the tenant's schema explicitly and leaves
it before the admin renders its page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts import lockout
from accounts.actions import do_send_password_reset
from accounts.models import User
from accounts.selectors import MAX_QUERY_LENGTH, Cursor
from accounts.selectors import people_page as people_page_of
from tenants.admin import ClientAdmin
from tenants.db import in_tenant
from tenants.models import Client
from tenants.selectors import user_counts


def people_url(client: Client) -> str:
    return reverse("admin:tenants_client_people", args=[client.pk])


def _client(request: HttpRequest, client_id: int) -> Client:
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    return get_object_or_404(Client.objects.exclude(schema_name="public"), pk=client_id)


def people_page(request: HttpRequest, client_id: int, model_admin: admin.ModelAdmin[Client]) -> HttpResponse:
    client = _client(request, client_id)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    after = Cursor.parse(request.GET.get("after", ""))
    with in_tenant(client):
        page = people_page_of(q=query, after=after)
        locks = lockout.locked_keys(client)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "client": client,
        "people": page.people,
        "query": query,
        "next_after": page.next.encode() if page.next else "",
        "locks": [
            {"kind": lock.kind, "value": lock.value, "failures": lock.failures, "until": _at(lock.locked_until)}
            for lock in locks
        ],
        "title": f"People of {client.name}",
    }
    return TemplateResponse(request, "admin/tenants/client/people.html", context)


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.get_current_timezone())


@require_POST
def send_reset(request: HttpRequest, client_id: int, user_id: int, model_admin: Any) -> HttpResponse:
    client = _client(request, client_id)
    with in_tenant(client):
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise Http404
        if not user.is_active:
            messages.error(request, f"{user.email} is deactivated; a reset link would not work.")
        elif do_send_password_reset(tenant=client, user=user):
            messages.success(request, f"Sent a password-reset link to {user.email}.")
        else:
            messages.error(request, f"{user.email} was sent too many e-mails in the last hour. Try again later.")
    return HttpResponseRedirect(people_url(client))


@require_POST
def unlock(request: HttpRequest, client_id: int, model_admin: Any) -> HttpResponse:
    client = _client(request, client_id)
    kind = request.POST.get("kind", "")
    value = request.POST.get("value", "")[:254]
    if kind not in ("account", "address") or not value:
        messages.error(request, "Choose a lock to lift.")
    else:
        lockout.unlock(client, kind=kind, value=value)
        messages.success(request, f"Unlocked sign-in for {value}.")
    return HttpResponseRedirect(people_url(client))


class ClientPeopleAdmin(ClientAdmin):
    """A link from the client page to its people, and the people pages under the client's URL."""

    def get_fields(self, request: HttpRequest, obj: Client | None = None) -> Any:
        fields = super().get_fields(request, obj)
        return fields if obj is None else [*fields, "people_link"]

    def get_readonly_fields(self, request: HttpRequest, obj: Client | None = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else [*fields, "people_link"]

    @admin.display(description="People")
    def people_link(self, obj: Client) -> str:
        if not obj.pk:
            return "—"
        count = user_counts([obj]).get(obj.pk, 0)
        return format_html(
            '<a href="{}">{} active {} — search, send a password reset, lift sign-in locks</a>',
            people_url(obj),
            count,
            "person" if count == 1 else "people",
        )

    def get_urls(self) -> list[URLPattern]:
        def bound(view: Any) -> Any:
            def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return view(request, *args, model_admin=self, **kwargs)

            return self.admin_site.admin_view(wrapped)

        return [
            path("<int:client_id>/people/", bound(people_page), name="tenants_client_people"),
            path("<int:client_id>/people/<int:user_id>/reset/", bound(send_reset), name="tenants_client_people_reset"),
            path("<int:client_id>/people/unlock/", bound(unlock), name="tenants_client_people_unlock"),
            *super().get_urls(),
        ]
