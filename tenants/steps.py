"""Ordered steps that the apps above tenants contribute to a tenant-level procedure (provisioning
a workspace, seeding demo data).

Imports run one way, down the floors: tenants runs the steps but never imports the apps that
hold them. Each app registers its steps from its `AppConfig.ready()`, with an order that says
where it stands among the others (an owner must exist before the room they create).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Step(Generic[F]):
    name: str
    order: int
    run: F


class Steps(Generic[F]):
    """Steps by name, run by order (then name, so two steps of one order run the same way every time)."""

    def __init__(self) -> None:
        self._by_name: dict[str, Step[F]] = {}

    def register(self, name: str, run: F, *, order: int) -> None:
        """A name registered again replaces its step, so registering from `ready()` is idempotent."""
        self._by_name[name] = Step(name=name, order=order, run=run)

    def __iter__(self) -> Iterator[Step[F]]:
        return iter(sorted(self._by_name.values(), key=lambda step: (step.order, step.name)))
