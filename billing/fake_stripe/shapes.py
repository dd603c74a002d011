"""What every answer of the stand-in shares: Stripe's error shape, loading an object by id,
`expand[]`, updates that report Stripe's `previous_attributes`, and lists."""

from __future__ import annotations

from typing import Any

from billing.fake_stripe import objects, state
from billing.fake_stripe.state import Obj

Params = dict[str, Any]
Answer = tuple[int, Obj]


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param

    def body(self) -> Obj:
        error: Obj = {"type": "invalid_request_error", "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def load(object_id: str, object_type: str) -> Obj:
    found = state.get(object_id)
    if found is None or found.get("object") != object_type or found.get("deleted"):
        label = object_type.replace("_", " ").replace("checkout.session", "checkout session")
        raise StripeError(404, f"No such {label}: '{object_id}'", code="resource_missing", param="id")
    return found


def expanded(obj: Obj, expand: list[str]) -> Obj:
    """`expand[]`: ids at these paths (`latest_invoice`, `data.customer`...) become objects."""
    shown = state.public(obj)
    for path in expand:
        parts = path.split(".")
        if parts[0] == "data" and isinstance(shown.get("data"), list):
            shown["data"] = [expanded(entry, [".".join(parts[1:])]) for entry in shown["data"]]
            continue
        value = shown.get(parts[0])
        if isinstance(value, str):
            target = state.get(value)
            if target is not None:
                shown[parts[0]] = expanded(target, [".".join(parts[1:])] if len(parts) > 1 else [])
        elif isinstance(value, dict) and len(parts) > 1:
            shown[parts[0]] = expanded(value, [".".join(parts[1:])])
    return shown


def merge(obj: Obj, params: Params, fields: tuple[str, ...]) -> dict[str, Any]:
    """Apply the updatable `fields` of `params`; returns the previous values (Stripe's
    `previous_attributes`). Metadata merges key by key; an empty value removes a key."""
    previous: dict[str, Any] = {}
    for field in fields:
        if field not in params:
            continue
        value = params[field]
        if field == "metadata":
            merged = {**(obj.get("metadata") or {}), **(value or {})}
            value = {key: item for key, item in merged.items() if item != ""}
        elif field in ("active", "cancel_at_period_end"):
            value = objects.as_bool(value)
        if obj.get(field) != value:
            previous[field] = obj.get(field)
            obj[field] = value
    return previous


def filtered(object_type: str, params: Params, url: str, **matches: Any) -> Obj:
    rows = [row for row in state.all_of(object_type) if not row.get("deleted")]
    for field, wanted in matches.items():
        if wanted is not None:
            rows = [row for row in rows if row.get(field) == wanted]
    rows.sort(key=lambda row: row["created"], reverse=True)
    limit = int(params.get("limit", 10))
    return objects.listing([expanded(row, expand_of(params, nested=True)) for row in rows[:limit]], url) | {
        "has_more": len(rows) > limit
    }


def expand_of(params: Params, nested: bool = False) -> list[str]:
    raw = params.get("expand") or []
    paths = list(raw.values()) if isinstance(raw, dict) else list(raw)
    if nested:
        return [path[len("data.") :] for path in paths if path.startswith("data.")]
    return paths
