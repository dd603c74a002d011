"""`{% first_run_checklist %}`: the new owner's checklist card on the chat page (chat.first_run)."""

from __future__ import annotations

from typing import Any

from django import template

from chat.first_run import checklist_for

register = template.Library()


@register.inclusion_tag("chat/first_run_checklist.html", takes_context=True)
def first_run_checklist(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    checklist = checklist_for(user) if user is not None else None
    # An inclusion tag renders in a context of its own: the page's theme is passed on.
    return {"checklist": checklist, "user": user, "tenant_id": getattr(tenant, "pk", ""), "theme": context.get("theme")}
