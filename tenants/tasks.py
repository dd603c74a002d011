from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model

from config.celery import app
from tenants.db import current_schema, in_public

logger = logging.getLogger(__name__)


@app.task(name="tenants.ping")
def ping() -> dict[str, Any]:
    """Report the schema the task ran in and how many people are there: a probe for workers."""
    return {"schema": current_schema(), "users": get_user_model().objects.count()}


@app.task(name="tenants.check_domain")
def check_domain(claim_id: int) -> str | None:
    """Check one custom domain's DNS and move it on (tenants.domains.actions.apply_check).

    Safe to run twice, even at once: the result is applied under the claim's lock, to the claim
    as it is then. Returns the status after the check (None: no such claim any more).
    """
    from tenants.domains.actions import do_check_domain
    from tenants.models import CustomDomain

    with in_public():
        claim = CustomDomain.objects.select_related("tenant").filter(pk=claim_id).first()
        if claim is None:
            return None
        return str(do_check_domain(claim=claim).status)


@app.task(name="tenants.check_due_domains")
def check_due_domains() -> int:
    """Beat, every minute: send a check for every claim whose `next_check_at` has come."""
    from tenants.domains.actions import lease_due_domains

    with in_public():
        ids = lease_due_domains()
        for claim_id in ids:
            check_domain.delay(claim_id)
    if ids:
        logger.info("sent %d domain checks", len(ids))
    return len(ids)


@app.task(name="tenants.deliver_platform_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_platform_email(message: dict[str, Any]) -> None:
    """Send a rendered platform e-mail (tenants.mail). Retried on connection errors."""
    from tenants.mail import PlatformEmail

    PlatformEmail(**message).send()


@app.task(name="tenants.send_workspace_list")
def send_workspace_list(email: str) -> int:
    """Mail `email` the workspaces it can sign in to (tenants.finding); in a task, so the
    answer to the person asking takes the same time whether or not the address is known."""
    from tenants.finding import mail_workspace_list

    with in_public():
        return mail_workspace_list(email=email)


@app.task(name="tenants.prune_pending_signups")
def prune_pending_signups() -> int:
    """Beat, daily: sign-ups whose link expired a week ago and was never followed."""
    from tenants.signups import do_prune_pending_signups

    return do_prune_pending_signups()
