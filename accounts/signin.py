"""Checking an e-mail and password, the one way the login form and the token endpoint do it:
refused outright while the account or address is locked out, counted when wrong."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest

from accounts import lockout
from accounts.models import User
from config.ratelimit import client_address
from tenants.models import Client


class SignInRefused(Exception):
    """Too many recent failures: the password was not checked."""

    def __init__(self, refusal: lockout.Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class InvalidCredentials(Exception):
    """Unknown e-mail or wrong password; deliberately not told apart."""


def sign_in(request: HttpRequest, tenant: Client, *, email: str, password: str) -> User:
    address = client_address(request.META)
    refusal = lockout.check(tenant, email=email, address=address)
    if refusal is not None:
        raise SignInRefused(refusal)
    user = authenticate(request, username=email, password=password)
    if not isinstance(user, User):
        lockout.record_failure(tenant, email=email, address=address)
        raise InvalidCredentials
    lockout.record_success(tenant, email=email)
    return user
