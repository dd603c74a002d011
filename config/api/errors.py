"""One error shape for the whole API: `{"detail": str, "code": str}` plus field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class AccessDenied(PermissionDenied):
    """A refused action, with a message fit to show the person who tried it."""

    def __init__(self, message: str, code: str = "forbidden") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(Http404):
    """The object does not exist in this tenant (or is another tenant's): answer 404."""


class Refused(exceptions.APIException):
    """A request refused with the status, code and sentence a rule chose, and optionally more
    fields for clients (a measured ratio, a suggestion, the line of an error)."""

    def __init__(self, status_code: int, detail: str, code: str, **extra: Any) -> None:
        super().__init__(detail, code)
        self.status_code = status_code
        self.extra = extra


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Actions raise PermissionDenied subclasses carrying a message and code fit to show.
        message = getattr(exc, "message", None)
        exc = exceptions.PermissionDenied(message, code=getattr(exc, "code", None) if message else None)
    elif isinstance(exc, DjangoValidationError):
        # An action's rule failed (serializers validate shapes, actions validate state).
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": readable(exc.detail), "code": "invalid", "errors": exc.detail}
    else:
        response.data = error_payload(*_message_and_code(exc))
        if isinstance(exc, Refused):  # more keys for the body (`limit` beside `plan_limit`)
            response.data.update(exc.extra)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        response["Retry-After"] = str(getattr(exc, "retry_after", 60))
    return response


def readable(errors: Any) -> str:
    """What went wrong, in words a person can act on: the first error, with its field's name
    where DRF's own messages say "this field" ("Name is required."), and how many more there are;
    every message stays under `errors`, by field."""
    found: list[str] = []
    if isinstance(errors, dict):
        for field, messages in errors.items():
            first = messages[0] if isinstance(messages, list) and messages else messages
            if isinstance(first, str):
                found.append(_named(str(field), first))
    elif isinstance(errors, list):
        found = [str(message) for message in errors if isinstance(message, str)]
    if not found:
        return "Some of what was sent is not valid."
    more = len(found) - 1
    return found[0] + (f" (and {more} more)" if more else "")


def _named(field: str, message: str) -> str:
    if field in ("detail", "non_field_errors") or "this field" not in message.lower():
        return message
    name = field.replace("_", " ")
    return message.replace("This field", name.capitalize(), 1).replace("this field", name, 1)


def _message_and_code(exc: exceptions.APIException) -> tuple[str, str]:
    detail, codes = exc.detail, exc.get_codes()
    if isinstance(detail, dict) and "detail" in detail:  # simplejwt nests its own shape
        code = detail.get("code", codes.get("detail") if isinstance(codes, dict) else None)
        return str(detail["detail"]), str(code or exc.default_code)
    if isinstance(detail, list) and detail:
        return " ".join(str(item) for item in detail), str(exc.default_code)
    return str(detail), codes if isinstance(codes, str) else str(exc.default_code)


def error_payload(detail: str, code: str) -> dict[str, Any]:
    return {"detail": detail, "code": code}
