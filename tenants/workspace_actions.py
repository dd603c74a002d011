"""Settings a workspace's owners and admins change themselves, from their own host.

The `Client` row lives in the public schema; a tenant request's search path ends in `public`,
so the row is written from there without switching schemas.
"""

from __future__ import annotations

from tenants.models import Client


def do_update_signup_settings(*, client: Client, open_signup: bool, signup_domains: str) -> Client:
    """`signup_domains` arrives normalised (lowercase, ", "-separated, each a domain name).

    Only these two columns are written, so a concurrent change to the plan or status (billing,
    platform staff) is never overwritten with the stale copy the request loaded.
    """
    client.open_signup = open_signup
    client.signup_domains = signup_domains
    client.save(update_fields=["open_signup", "signup_domains"])
    return client
