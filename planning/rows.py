"""Frozen records from ORM rows: the one way a saved row becomes the dataclass callers see.

The steering records (:mod:`planning.steering`) and the registry's added indicators copy most fields
from the database row's column of the same name; :func:`record_of` does that copy, so a new column
needs no second edit, and the caller passes only what is computed (a parsed JSON field, a joined row).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from sqlalchemy import inspect

T = TypeVar("T")


def record_of(cls: type[T], row: Any, **given: Any) -> T:
    """``cls`` (a dataclass) from ``row``: each field named like a column of the row is read from it
    unless ``given``; every other field is ``given`` or keeps its default."""
    columns = set(inspect(row).mapper.column_attrs.keys())
    copied = {
        f.name: getattr(row, f.name)
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in columns and f.name not in given
    }
    return cls(**copied, **given)
