"""A check's result and what it is checked against: :class:`Checked` (typed frame, problems, lines
that already failed), :class:`CheckContext` (what the database knows) and the helpers every check
uses to report (at most :data:`MAX_PROBLEMS_PER_COLUMN` rows, then "… und N weitere")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planning.imports.problems import Problem, Severity, count, summary_line

MAX_PROBLEMS_PER_COLUMN = 25

#: Rows per part of the duplicate and population-sum checks (parts of whole keys or areas): their
#: peak memory follows the part, not the file.
PART_ROWS = 400_000


@dataclass(frozen=True)
class CheckContext:
    """What the database knows: the active layout's areas (data level) and existing schools."""

    area_ids: frozenset[str] = frozenset()
    #: Data-level areas with geometry, any metric CRS; used to place points and check locations.
    areas: gpd.GeoDataFrame | None = None
    school_ids: frozenset[str] = frozenset()
    indicator_codes: frozenset[str] = frozenset()
    #: Indicators the app computes itself: code → (label, data kinds it is computed from).
    computed_indicators: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    #: Upper-level areas → the data-level areas below them (rows of these ids are total rows).
    children: dict[str, frozenset[str]] = field(default_factory=dict)


class LineSet:
    """Lines (as in the file) that already have an error, kept as int64 arrays: when every row of a
    100 MB file fails, 8 bytes a line instead of a Python int in a set (some 60 bytes)."""

    def __init__(self, lines: Any = ()) -> None:
        self._parts: list[Any] = []
        self._sorted = True
        self.update(lines)

    def add(self, line: int) -> None:
        self.update([line])

    def update(self, lines: Any) -> None:
        arr = np.asarray(lines if isinstance(lines, np.ndarray | list) else list(lines), dtype=np.int64)
        if len(arr):
            self._parts.append(arr.ravel())
            self._sorted = False

    def array(self) -> Any:
        """The lines, sorted and unique (an int64 array)."""
        if not self._sorted:
            self._parts = [np.unique(np.concatenate(self._parts))]
            self._sorted = True
        return self._parts[0] if self._parts else np.zeros(0, dtype=np.int64)

    def mask(self, lines: Any) -> Any:
        """Boolean array: which of ``lines`` are in the set (by binary search, no hash table)."""
        arr, lines = self.array(), np.asarray(lines, dtype=np.int64)
        if not len(arr):
            return np.zeros(len(lines), dtype=bool)
        at = np.minimum(np.searchsorted(arr, lines), len(arr) - 1)
        return arr[at] == lines

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int | np.integer):
            return False
        arr = self.array()
        i = int(np.searchsorted(arr, int(line)))
        return i < len(arr) and bool(arr[i] == line)

    def __len__(self) -> int:
        return len(self.array())

    def __bool__(self) -> bool:
        return bool(self._parts)

    def __iter__(self) -> Any:
        return iter(self.array().tolist())

    def __eq__(self, other: object) -> bool:
        return set(self) == set(other) if isinstance(other, LineSet | set | frozenset) else NotImplemented

    def __repr__(self) -> str:
        return f"LineSet({len(self)} Zeilen)"


@dataclass
class Checked:
    kind: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    file_name: str = ""
    #: Lines (as in the file) that already have an error: later checks do not report them again.
    failed_lines: LineSet = field(default_factory=LineSet)
    #: Set by the check when the delivery is far smaller than the version it replaces
    #: (:class:`planning.imports.shrink.Shrink`): the import then needs a confirmation.
    shrink: Any = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Warnung"]

    @property
    def error_count(self) -> int:
        """Errors found, including those a summary line "… und N weitere" stands for."""
        return count(self.problems, "Fehler")

    @property
    def warning_count(self) -> int:
        return count(self.problems, "Warnung")

    @property
    def ok(self) -> bool:
        return not self.errors


def source_column(resolved: dict[str, str], fld: str) -> str:
    """The file's column name of canonical field ``fld`` (the field's own name if not mapped)."""
    return resolved.get(fld, fld)


def report_rows(
    c: Checked,
    severity: Severity,
    found: list[tuple[int, str]],
    column: str | None,
    what: str,
    total: int | None = None,
) -> None:
    """One problem per row (line, message) for the first :data:`MAX_PROBLEMS_PER_COLUMN`, then
    "… und N weitere" up to ``total`` (default: all found): a file of a million faulty rows must
    not become a million messages."""
    total = len(found) if total is None else total
    for line, message in found[:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(Problem(severity, message, c.file_name, line, column))
    if total > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(summary_line(severity, total - MAX_PROBLEMS_PER_COLUMN, what, c.file_name, column))
