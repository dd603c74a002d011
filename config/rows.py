"""Model instances from plain SQL, for the few paths every socket frame takes.

Django's query compiler costs more than the query itself there: a membership lookup with its
room (`filter(...).select_related(...).first()`) took about 0.7 ms of CPU to compile and run, the
same statement written out 0.15 ms (docs/benchmarks.md, the send path), and a message's send made
five of them. The statements stay short and next to what they read; everything else uses the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _fields(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    concrete = model._meta.concrete_fields
    return tuple(str(field.column) for field in concrete), tuple(field.attname for field in concrete)


def columns(model: type[models.Model], alias: str) -> str:
    """Every column of `model`, in the order `instance` reads them: `alias."col", ...`."""
    return ", ".join(f'{alias}."{column}"' for column in _fields(model)[0])


def width(model: type[models.Model]) -> int:
    return len(_fields(model)[0])


def instance(model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The `model` whose columns (`columns(model, ...)`) start at `row[start]`, as the ORM would
    have loaded it."""
    names = _fields(model)[1]
    return model.from_db(DEFAULT_DB_ALIAS, list(names), list(row[start : start + len(names)]))


def fetch_one(sql: str, params: Sequence[Any] | dict[str, Any]) -> tuple[Any, ...] | None:
    """One row of `sql` on the current connection (and schema), or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
