"""Password-reset links bound to one tenant.

Django's token generator signs the user's id, password hash, last login and e-mail; user ids
repeat across tenant schemas, so the signing salt also names the tenant, and the hash covers
the auth epoch. A link therefore works only on the tenant that sent it, only until it is used
(the password changes) and only for PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tenants.models import Client
from tenants.urls_helpers import tenant_url


class TenantPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    def __init__(self, tenant: Client) -> None:
        super().__init__()
        self.key_salt = f"accounts.reset.{tenant.pk}"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}:{user.auth_epoch}"


def reset_link(tenant: Client, user: User) -> str:
    token = TenantPasswordResetTokenGenerator(tenant).make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return tenant_url(tenant, f"/password/reset/{uid}/{token}/")
