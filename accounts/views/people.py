"""The people page: the tenant's directory, its pending invitations, and the forms that manage
both. Owners and admins only; the role rules themselves live in `accounts.access` and the
actions, and every refusal comes back to the page as that rule's own message.

Every POST answers with a redirect back to the page it came from (keeping the search and the
position), carrying a success or error message. Malformed input (not a refusal) re-renders the
page with status 400 instead, so the invite form keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    access_invitation,
    access_user,
    can_manage_people,
    check_can_assign,
    check_can_manage,
)
from accounts.actions import (
    do_change_role,
    do_deactivate_user,
    do_invite,
    do_reactivate_user,
    do_resend_invitation,
    do_revoke_invitation,
)
from accounts.actions.seats import seat_refusal
from accounts.models import Invitation, User
from accounts.people_forms import InviteForm, PeopleSearchForm, RoleForm
from accounts.selectors import (
    INVITATIONS_SHOWN,
    MAX_QUERY_LENGTH,
    Cursor,
    pending_invitations,
    people_matching,
    people_page,
)
from config.api.errors import AccessDenied, Refused
from tenants.models import Client

P = ParamSpec("P")
ManagerView = Callable[Concatenate[HttpRequest, User, P], HttpResponse]


def people_manager_only(view: ManagerView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed out: the login page. Signed in without the right: a 403 page, before any input is
    read. Otherwise the view gets the actor as a `User`."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        actor = request.user
        if not isinstance(actor, User) or not can_manage_people(actor):
            return render(request, "accounts/people/forbidden.html", {"section": "people"}, status=403)
        return view(request, actor, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class PersonRow:
    person: User
    is_self: bool
    # The actor may change this person's role and (de)activate them.
    manageable: bool


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    manageable: bool


def _allowed(check: Callable[[], None]) -> bool:
    """Whether an access check passes; lets the page hide buttons by the same rule that refuses."""
    try:
        check()
    except AccessDenied:
        return False
    return True


def _tenant(request: HttpRequest) -> Client:
    return request.tenant  # type: ignore[attr-defined]  # set by TenantMainMiddleware


def _refusal(exc: AccessDenied | ValidationError | Refused) -> str:
    if isinstance(exc, AccessDenied):
        return exc.message
    if isinstance(exc, Refused):  # the plan's limits, a read-only workspace
        return str(exc.detail)
    return " ".join(exc.messages)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """The people page the form was posted from, with its search and position; nothing else."""
    people_url = reverse("accounts:people")
    target = str(request.POST.get("next", ""))
    if (
        (target == people_url or target.startswith(people_url + "?"))
        and len(target) <= 2000
        and target.isascii()
        and target.isprintable()
        and " " not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return redirect(target)
    return redirect(people_url)


def _page_query(q: str, **cursor: Cursor | None) -> str:
    params = {"q": q} if q else {}
    params.update({name: value.encode() for name, value in cursor.items() if value is not None})
    return "?" + urlencode(params) if params else ""


def _render_page(
    request: HttpRequest, actor: User, *, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    search = PeopleSearchForm(request.GET)
    if not search.is_valid() and "q" in search.errors:
        messages.error(request, f"Search for at most {MAX_QUERY_LENGTH} characters.")
        status = 400
    query = search.cleaned_data.get("q") or ""
    page = people_page(
        q=query,
        after=Cursor.parse(search.cleaned_data.get("after") or ""),
        before=Cursor.parse(search.cleaned_data.get("before") or ""),
    )
    invitations = list(pending_invitations()[: INVITATIONS_SHOWN + 1])
    assignable = [role for role in User.Role if _allowed(partial(check_can_assign, actor, role))]
    context: dict[str, Any] = {
        "section": "people",
        "q": query,
        "total": people_matching(query).count(),
        "rows": [
            PersonRow(
                person=person,
                is_self=person.pk == actor.pk,
                manageable=person.pk == actor.pk or _allowed(partial(check_can_manage, actor, person)),
            )
            for person in page.people
        ],
        "next_url": _page_query(query, after=page.next) if page.next else "",
        "previous_url": _page_query(query, before=page.previous) if page.previous else "",
        # Where the forms send the browser back to; a re-rendered POST goes back to the start.
        "here": request.get_full_path() if request.method == "GET" else reverse("accounts:people"),
        "invitations": [
            InvitationRow(
                invitation=invitation,
                manageable=_allowed(partial(check_can_assign, actor, invitation.role)),
            )
            for invitation in invitations[:INVITATIONS_SHOWN]
        ],
        "more_invitations": len(invitations) > INVITATIONS_SHOWN,
        "invite_form": invite_form or InviteForm(),
        # Why nobody can be invited now (seats taken, read-only): the form is shown disabled.
        "invite_refused": seat_refusal(tenant=_tenant(request)),
        "assignable_roles": assignable,
    }
    return render(request, "accounts/people.html", context, status=status)


@require_GET
@people_manager_only
def people_list(request: HttpRequest, actor: User) -> HttpResponse:
    return _render_page(request, actor)


def _attempt(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run an action; its refusal (a role rule, a state rule) becomes the page's error message."""
    try:
        action()
    except (AccessDenied, ValidationError, Refused) as exc:
        messages.error(request, _refusal(exc))
        return False
    messages.success(request, success)
    return True


@require_POST
@people_manager_only
def invite(request: HttpRequest, actor: User) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_page(request, actor, invite_form=form, status=400)
    email, role = form.cleaned_data["email"].lower(), form.cleaned_data["role"]
    _attempt(
        request,
        partial(do_invite, tenant=_tenant(request), actor=actor, email=email, role=role),
        f"Invitation sent to {email} as {User.Role(role).label.lower()}.",
    )
    return _back(request)


@require_POST
@people_manager_only
def change_role(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    person = access_user(actor, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles in the list.")
        return _render_page(request, actor, status=400)
    role = form.cleaned_data["role"]
    label = User.Role(role).label.lower()
    changed = _attempt(
        request,
        partial(do_change_role, actor=actor, user=person, role=role),
        f"{person.get_full_name()} is now {'an' if label[0] in 'aeiou' else 'a'} {label}.",
    )
    if changed and person.pk == actor.pk:
        actor.refresh_from_db(fields=["role"])
        if not can_manage_people(actor):
            return redirect("home")  # they just gave up the right to see this page
    return _back(request)


def _on_person(
    request: HttpRequest, actor: User, user_id: int, action: Callable[..., object], success: str
) -> HttpResponse:
    """Deactivate or reactivate: `action(actor=, user=)` on a person of this tenant, then back to
    the page with the action's refusal or `success`, which may name the person's `{name}`."""
    person = access_user(actor, user_id)
    _attempt(request, partial(action, actor=actor, user=person), success.format(name=person.get_full_name()))
    return _back(request)


def _on_invitation(
    request: HttpRequest, actor: User, invitation_id: int, action: Callable[..., object], success: str
) -> HttpResponse:
    """Resend or revoke: `action(actor=, invitation=)` on an invitation the actor may manage, then
    back to the page with the action's refusal or `success`, which may name the invitation's `{email}`."""
    invitation = access_invitation(actor, invitation_id)
    _attempt(request, partial(action, actor=actor, invitation=invitation), success.format(email=invitation.email))
    return _back(request)


@require_POST
@people_manager_only
def deactivate(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    deactivate_user = partial(do_deactivate_user, tenant=_tenant(request))
    return _on_person(request, actor, user_id, deactivate_user, "{name} was deactivated and signed out everywhere.")


@require_POST
@people_manager_only
def reactivate(request: HttpRequest, actor: User, user_id: int) -> HttpResponse:
    reactivate_user = partial(do_reactivate_user, tenant=_tenant(request))
    return _on_person(request, actor, user_id, reactivate_user, "{name} can sign in again.")


@require_POST
@people_manager_only
def resend_invitation(request: HttpRequest, actor: User, invitation_id: int) -> HttpResponse:
    resend = partial(do_resend_invitation, tenant=_tenant(request))
    message = "A new invitation link was sent to {email}; the old link no longer works."
    return _on_invitation(request, actor, invitation_id, resend, message)


@require_POST
@people_manager_only
def revoke_invitation(request: HttpRequest, actor: User, invitation_id: int) -> HttpResponse:
    return _on_invitation(
        request, actor, invitation_id, do_revoke_invitation, "The invitation for {email} was revoked."
    )
