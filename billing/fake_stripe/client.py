"""stripe-python's HTTP client, replaced: requests to api.stripe.com are answered by the
stand-in (billing.fake_stripe.api) in this process, from the state every process shares.

stripe-python encodes a v1 request as a form (`metadata[client_id]=7&items[0][price]=...`) in
the body of a POST and in the query string of a GET or DELETE; `decode` turns it back into
the nested values Stripe itself reads. A POST with an Idempotency-Key answers its first result
again, as Stripe does for 24 hours.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

from billing.fake_stripe import api, state


def decode(encoded: str) -> dict[str, Any]:
    """`a[b][0]=x` -> {"a": {"b": ["x"]}}: a level whose keys are all numbers is a list."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def answer(method: str, url: str, headers: Mapping[str, str] | None, post_data: Any) -> tuple[str, int, dict[str, str]]:
    parts = urlsplit(url)
    body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
    params = decode(body if method.upper() == "POST" else parts.query)
    idempotency_key = (headers or {}).get("Idempotency-Key") if method.upper() == "POST" else None
    replay_key = f"idempotency:{idempotency_key}:{parts.path}" if idempotency_key else None
    if state.in_outage():
        outage = {"error": {"type": "api_error", "message": "Stripe is unavailable (test-mode outage)."}}
        return json.dumps(outage), 503, {"Stripe-Should-Retry": "false", "Content-Type": "application/json"}
    with state.locked():
        replayed = state.recall(replay_key) if replay_key else None
        if replayed is not None:
            status, content = replayed
        else:
            status, content = api.handle(method.upper(), parts.path, params)
            if replay_key and status < 500:
                state.remember(replay_key, [status, content])
        state.log_request(
            {
                "method": method.upper(),
                "path": parts.path,
                "params": params,
                "idempotency_key": idempotency_key,
                "stripe_version": (headers or {}).get("Stripe-Version"),
                "status": status,
            }
        )
    response_headers = {"Request-Id": state.new_id("req"), "Content-Type": "application/json"}
    if idempotency_key:
        response_headers["Idempotency-Key"] = idempotency_key
    return json.dumps(content), status, response_headers


class StandInHTTPClient(stripe.HTTPClient):
    """Answers every request from the stand-in; nothing leaves the machine."""

    name = "fakestripe"

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        return answer(method, url, headers, post_data)

    def request_stream(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Iterable[bytes], int, Mapping[str, str]]:
        content, status, response_headers = answer(method, url, headers, post_data)
        return iter([content.encode()]), status, response_headers

    async def request_async(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[bytes, int, Mapping[str, str]]:
        content, status, response_headers = answer(method, url, headers, post_data)
        return content.encode(), status, response_headers

    async def request_stream_async(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        content, status, response_headers = answer(method, url, headers, post_data)

        async def chunks() -> Any:
            yield content.encode()

        return chunks(), status, response_headers

    def close(self) -> None:
        pass

    async def close_async(self) -> None:
        pass
