"""Every write to tenants goes through here: sign-up, `create_workspace`, admin and tests alike."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.db import in_public, use_public_schema
from tenants.models import Client, Domain, SuspensionRecord
from tenants.provision_steps import NewWorkspace, provision_steps
from tenants.provisioning import clone_template_into
from tenants.urls_helpers import platform_host
from tenants.validators import schema_name_for, validate_slug

logger = logging.getLogger(__name__)

SUSPENSION_REASON_MAX = Client._meta.get_field("suspension_reason").max_length or 500


@dataclass(frozen=True)
class Workspace:
    """A provisioned workspace, committed; what the apps' steps made lives in its schema."""

    client: Client


def check_new_workspace(*, slug: str, name: str, owner_email: str) -> None:
    """Raise ValidationError (keyed by field) if a workspace with these values cannot be created."""
    errors: dict[str, list[str]] = {}
    try:
        validate_slug(slug)
    except ValidationError as exc:
        errors.setdefault("slug", []).extend(exc.messages)
    else:
        if Client.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=platform_host(slug)).exists():
            errors.setdefault("slug", []).append("This workspace address is already taken.")
    if not name.strip():
        errors.setdefault("name", []).append("Enter the workspace's name.")
    elif len(name) > 100:
        errors.setdefault("name", []).append("Use at most 100 characters.")
    try:
        validate_email(owner_email)
    except ValidationError:
        errors.setdefault("owner_email", []).append("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)


def do_provision_workspace(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None,
    owner_name: str = "",
    plan_code: str | None = None,
) -> Workspace:
    """Create a tenant: its row, schema (cloned from the template) and primary domain, then
    every app's provisioning step (tenants.provision_steps: account, owner, brand, `general`
    room), all in one transaction, so a failure anywhere leaves nothing behind."""
    check_new_workspace(slug=slug, name=name, owner_email=owner_email)
    started = time.monotonic()
    use_public_schema()
    schema_name = schema_name_for(slug)
    try:
        with transaction.atomic():
            client = Client.objects.create(
                schema_name=schema_name,
                name=name.strip(),
                slug=slug,
                email=owner_email.lower(),
            )
            Domain.objects.create(domain=platform_host(slug), tenant=client, is_primary=True)
            clone_template_into(schema_name)
            new = NewWorkspace(
                client=client,
                owner_email=owner_email.lower(),
                owner_password=owner_password,
                owner_name=owner_name,
                plan_code=plan_code,
            )
            for step in provision_steps:
                # Each step starts in public, whatever the step before it left the connection in.
                with in_public():
                    step.run(new)
    except IntegrityError as exc:
        # Lost a race with another sign-up for the same slug.
        raise ValidationError({"slug": ["This workspace address is already taken."]}) from exc
    logger.info("provisioned workspace %s (%s) in %.3f s", slug, schema_name, time.monotonic() - started)
    return Workspace(client=client)


def do_suspend_client(client: Client, *, reason: str = "", by: str = "") -> bool:
    """Shut the workspace out (tenants.middleware.SuspendedTenantMiddleware) and record why and
    by whom. False when it was suspended already (nothing is written)."""
    if client.is_suspended:
        return False
    reason = reason.strip()[:SUSPENSION_REASON_MAX]
    with transaction.atomic():
        client.status = Client.Status.SUSPENDED
        client.suspended_at = timezone.now()
        client.suspension_reason = reason
        client.save(update_fields=["status", "suspended_at", "suspension_reason"])
        SuspensionRecord.objects.create(client=client, action=SuspensionRecord.Action.SUSPENDED, reason=reason, by=by)
    logger.info("suspended workspace %s", client.slug)
    return True


def do_reactivate_client(client: Client, *, by: str = "") -> bool:
    """Let the workspace's people back in. The reason is cleared from the client; the history
    line of the suspension, with its reason, stays. False when it was not suspended."""
    if not client.is_suspended:
        return False
    with transaction.atomic():
        client.status = Client.Status.ACTIVE
        client.suspended_at = None
        client.suspension_reason = ""
        client.save(update_fields=["status", "suspended_at", "suspension_reason"])
        SuspensionRecord.objects.create(client=client, action=SuspensionRecord.Action.REACTIVATED, by=by)
    logger.info("reactivated workspace %s", client.slug)
    return True


def do_ensure_platform_tenant() -> Client:
    """The public schema's own `Client` row and the platform host's `Domain`.

    django-tenants resolves every host, the platform's included, through `Domain`; without
    this row the platform host would answer 404.
    """
    from django.conf import settings

    use_public_schema()
    client = Client.objects.filter(schema_name="public").first()
    if client is None:
        client = Client.objects.create(
            schema_name="public",
            name=settings.PLATFORM_NAME,
            slug="public",
            email=settings.DEFAULT_FROM_EMAIL,
        )
    domain = Domain.objects.filter(domain=settings.PLATFORM_DOMAIN).first()
    if domain is None:
        Domain.objects.create(domain=settings.PLATFORM_DOMAIN, tenant=client, is_primary=True)
    elif domain.tenant_id != client.pk:
        raise RuntimeError(f"{settings.PLATFORM_DOMAIN} belongs to tenant {domain.tenant_id}, not the platform")
    return client
