"""When a domain is checked next: soon and then less often while it is pending, daily once it
is verified, more often again while a verified domain is failing.

The sweeper (`tenants.tasks.check_due_domains`, every minute) picks claims by `next_check_at`;
nothing waits in a Celery countdown, which the Redis broker would redeliver after its
visibility timeout.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# How long a picked claim is left to its check task before the sweeper may pick it again
# (the worker died, the task was lost).
LEASE = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed check, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def verification_deadline(created_at: datetime) -> datetime:
    return created_at + timedelta(hours=settings.DOMAINS_VERIFY_HOURS)


def grace_ends(failing_since: datetime) -> datetime:
    return failing_since + timedelta(hours=settings.DOMAINS_GRACE_HOURS)


def next_recheck(now: datetime) -> datetime:
    return now + timedelta(hours=settings.DOMAINS_RECHECK_HOURS)
