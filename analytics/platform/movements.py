"""How MRR moved in a month, client by client: the classification behind the revenue page.

Each client's MRR is compared at two month ends (the month's start is the previous month's end):

- new: it pays now and had never paid at an earlier month end (its first paid month);
- reactivation: it pays now, paid at some earlier month end, but not at the month's start;
- expansion / contraction: it paid at both ends, more or less than before;
- churn: it paid at the month's start and pays nothing now.

A change that comes and goes inside one month moves nothing, so the movements always add up:
MRR at the start + new + reactivation + expansion - contraction - churn = MRR at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    NEW = "new"
    REACTIVATION = "reactivation"
    EXPANSION = "expansion"
    CONTRACTION = "contraction"
    CHURN = "churn"


def classify(before: int, after: int, *, paid_earlier: bool) -> tuple[Kind, int] | None:
    """The movement of one client between two month ends, as a kind and a positive amount in
    cents; None when its MRR did not change. `paid_earlier`: it paid at some month end before
    `before` was taken (or at that one)."""
    if after == before:
        return None
    if before == 0:
        return (Kind.REACTIVATION if paid_earlier else Kind.NEW), after
    if after == 0:
        return Kind.CHURN, before
    return (Kind.EXPANSION, after - before) if after > before else (Kind.CONTRACTION, before - after)


@dataclass(frozen=True)
class Movements:
    """One month's movements, each a positive amount in cents."""

    new: int = 0
    reactivation: int = 0
    expansion: int = 0
    contraction: int = 0
    churn: int = 0

    @property
    def net_new(self) -> int:
        return self.new + self.reactivation + self.expansion - self.contraction - self.churn


def month_movements(start: Mapping[int, int], end: Mapping[int, int], *, paid_earlier: Set[int]) -> Movements:
    """The movements between two month ends, from each client's MRR at both (a client missing
    from one pays nothing there). `paid_earlier`: clients that paid at any month end up to and
    including the start."""
    totals = dict.fromkeys(Kind, 0)
    for client in start.keys() | end.keys():
        moved = classify(start.get(client, 0), end.get(client, 0), paid_earlier=client in paid_earlier)
        if moved is not None:
            totals[moved[0]] += moved[1]
    return Movements(
        new=totals[Kind.NEW],
        reactivation=totals[Kind.REACTIVATION],
        expansion=totals[Kind.EXPANSION],
        contraction=totals[Kind.CONTRACTION],
        churn=totals[Kind.CHURN],
    )
