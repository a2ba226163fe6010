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


def report(problems: list[Problem], limit: int = 50) -> str:
    """A German plain-text report: errors first, then warnings, at most ``limit`` lines each."""
    lines: list[str] = []
    for severity in ("Fehler", "Warnung", "Hinweis"):
        items = [p for p in problems if p.severity == severity]
        lines.extend(str(p) for p in items[:limit])
        if len(items) > limit:
            lines.append(f"… und {len(items) - limit} weitere {severity.lower()}(en) dieser Art")
    return "\n".join(lines)
