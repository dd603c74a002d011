"""What tenants reads of a signed-in person. People live in accounts, a floor above tenants:
its `User` has these members, so tenants checks a person without importing it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Person(Protocol):
    """A workspace's person (an anonymous visitor has none of these)."""

    @property
    def email(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_workspace_admin(self) -> bool: ...
