"""Refusals of domain actions, each with a code, a sentence for people and its HTTP status.

Views turn them into the API's `{"detail", "code"}` shape or into a message on the page.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # Extra keys of the API's error body (the limit's name for `plan_limit`).
        self.extra = extra


class DomainRefused(DomainError):
    """The name cannot be claimed at all (its shape, or what it is)."""


class DomainTaken(DomainError):
    status = 409


class DomainConflict(DomainError):
    """The claim is not in a state that allows this (make an unverified domain primary)."""

    status = 409


class DomainLimitReached(DomainError):
    status = 402
