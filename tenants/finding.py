""" "Find your workspace": mail an address the workspaces it has an account in.

People live in their tenant's schema and the public schema has no index of addresses, so the
lookup asks every tenant schema at once: one `UNION ALL` statement per batch of schemas, each
part an index lookup on that schema's `accounts_user.email` (unique, so indexed). At 1,000
tenants that is a handful of statements instead of 1,000 `in_tenant` round trips. It runs in a
Celery task (tenants.tasks.send_workspace_list), so the page answers at once and in the same
time for a known and an unknown address.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from config.ratelimit import consume
from tenants.mail import render_platform_email, send_after_commit
from tenants.models import Client
from tenants.urls_helpers import tenant_url

# Schemas asked per statement: PostgreSQL plans a UNION of a few hundred index scans quickly.
BATCH = 200
# Lists mailed to one address per hour, whoever asks: the form cannot be used to flood a mailbox.
MAILS_PER_ADDRESS_PER_HOUR = 3


@dataclass(frozen=True)
class FoundWorkspace:
    name: str
    login_url: str


def _batches(clients: Sequence[Client]) -> Iterator[Sequence[Client]]:
    for start in range(0, len(clients), BATCH):
        yield clients[start : start + BATCH]


def workspaces_of(email: str) -> list[FoundWorkspace]:
    """Active workspaces where `email` has an active account, by name. Precondition: in public."""
    clients = list(
        Client.objects.exclude(schema_name="public").filter(status=Client.Status.ACTIVE).order_by("name", "pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [[c.schema_name for c in clients]])
        existing = {row[0] for row in cursor.fetchall()}
        clients = [c for c in clients if c.schema_name in existing]
        found: set[int] = set()
        for batch in _batches(clients):
            # Schema names are validated identifiers (tenants.validators); quoted all the same.
            parts = [
                f"SELECT %s FROM {connection.ops.quote_name(c.schema_name)}.accounts_user"  # noqa: S608  # nosec B608
                " WHERE email = %s AND is_active"
                for c in batch
            ]
            params: list[int | str] = []
            for client in batch:
                params += [client.pk, email]
            cursor.execute(" UNION ALL ".join(parts), params)
            found.update(row[0] for row in cursor.fetchall())
    return [FoundWorkspace(name=c.name, login_url=tenant_url(c, "/login/")) for c in clients if c.pk in found]


def mail_workspace_list(*, email: str) -> int:
    """Mail `email` its workspaces, if it has any; an address with none gets nothing (a mail
    saying "none" to any address typed in would let the form send mail to strangers).
    Returns how many workspaces were listed."""
    email = email.strip().lower()
    if consume(f"find-mail:{email}", limit=MAILS_PER_ADDRESS_PER_HOUR, window_seconds=3600) is not None:
        return 0
    found = workspaces_of(email)
    if found:
        send_after_commit(
            render_platform_email(to=email, template="workspace_list", context={"workspaces": found, "email": email})
        )
    return len(found)


def do_request_workspace_list(*, email: str) -> None:
    """Look the address up and mail the list, in a task unless EMAIL_ASYNC is off (tests)."""
    if settings.EMAIL_ASYNC:
        from tenants.tasks import send_workspace_list

        send_workspace_list.delay(email)
    else:
        mail_workspace_list(email=email)
