"""Problems found in input files: German, with file, row and column, as errors or warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["Fehler", "Warnung", "Hinweis"]


@dataclass(frozen=True)
class Problem:
    """One finding. ``row`` is the line (CSV) or row (Excel) number as the user sees it in the file."""

    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    #: How many findings this line stands for: 1, or N for a summary line "… und N weitere …".
    count: int = 1

    @property
    def blocking(self) -> bool:
        return self.severity == "Fehler"

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"Datei {self.file}")
        if self.row is not None:
            parts.append(f"Zeile {self.row}")
        if self.column:
            parts.append(f"Spalte „{self.column}“")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"


class InputFileError(ValueError):
    """Input that cannot be imported; carries the German problems that explain why."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


PLURAL = {"Fehler": "Fehler", "Warnung": "Warnungen", "Hinweis": "Hinweise"}


def count(problems: list[Problem], severity: str) -> int:
    """How many findings of ``severity`` the list stands for (summary lines count what they summarise)."""
    return sum(p.count for p in problems if p.severity == severity)


def summary_line(severity: Severity, hidden: int, what: str, file: str | None, column: str | None) -> Problem:
    """``… und N weitere <what>`` standing for the N findings not listed one by one."""
    return Problem(severity, f"… und {hidden} weitere {what}.", file, column=column, count=hidden)


def report(problems: list[Problem], limit: int = 50) -> str:
    """A German plain-text report: errors first, then warnings, at most ``limit`` lines each.

    Every severity ends with the count it stands for, so the lines and the total always agree.
    """
    lines: list[str] = []
    for severity in ("Fehler", "Warnung", "Hinweis"):
        items = [p for p in problems if p.severity == severity]
        lines.extend(str(p) for p in items[:limit])
        hidden = sum(p.count for p in items[limit:])
        if hidden:
            lines.append(f"… und {hidden} weitere {PLURAL[severity]}")
    return "\n".join(lines)
