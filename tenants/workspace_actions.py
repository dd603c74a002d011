"""Settings a workspace's owners and admins change themselves, from their own host.

The `Client` row lives in the public schema; a tenant request's search path ends in `public`,
so the row is written from there without switching schemas.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError

from tenants.models import Client


def do_update_workspace_settings(
    *, client: Client, open_signup: bool, signup_domains: str, time_zone: str | None = None
) -> Client:
    """`signup_domains` arrives normalised (lowercase, ", "-separated, each a domain name) and
    `time_zone` checked against the zones Python knows (None leaves it as it is).

    Only these columns are written, so a concurrent change to the plan or status (billing,
    platform staff) is never overwritten with the stale copy the request loaded.
    """
    client.open_signup = open_signup
    client.signup_domains = signup_domains
    fields = ["open_signup", "signup_domains"]
    if time_zone is not None:
        if time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": ["Choose a time zone from the list."]})
        client.time_zone = time_zone
        fields.append("time_zone")
    client.save(update_fields=fields)
    return client
