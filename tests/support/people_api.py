"""A bearer-token API client per person, and the shape of the API's errors."""

from __future__ import annotations

from typing import Any

from tests.support.people import make_user
from tests.support.tenants import PASSWORD, TenantInfo, host_client


class Api:
    """A JSON client signed in with a bearer token on one tenant's host."""

    def __init__(self, tenant: TenantInfo, email: str | None = None) -> None:
        self.http = host_client(tenant.host)
        self.headers: dict[str, str] = {}
        if email is not None:
            tokens = self.call("post", "/api/auth/token/", {"email": email, "password": PASSWORD})
            assert tokens.status_code == 200, tokens.content
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens.json()['access']}"}

    def call(self, method: str, path: str, data: Any = None) -> Any:
        send = getattr(self.http, method)
        if method == "get":
            return send(path, data or {}, **self.headers)
        return send(path, data, content_type="application/json", **self.headers)


def as_role(tenant: TenantInfo, role: str) -> Api:
    return Api(tenant, tenant.owner_email if role == "owner" else make_user(tenant, role).email)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert isinstance(body["detail"], str) and isinstance(body["code"], str)
    if code is not None:
        assert body["code"] == code
    return body
