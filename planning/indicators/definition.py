"""What an indicator is: its definition (label, unit, polarity, rate or count, sources, register
entry) and how its values are formatted and protected. The built-in ones are listed in
:mod:`planning.indicators.catalogue`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import pandas as pd

from planning.formatting import format_value
from planning.repository import PlanningData
from planning.suppression import SuppressionRule

DOMAINS: tuple[str, ...] = ("Demografie", "Kita", "Schule", "Ganztag", "Jugendhilfe", "Soziales")

Frame: TypeAlias = pd.DataFrame
ComputeFn: TypeAlias = Callable[[PlanningData], Frame]


@dataclass(frozen=True)
class Indicator:
    """Definition of one indicator; ``compute`` is None for imported indicators (Kennzahlen table)."""

    code: str
    label_de: str
    unit: str
    domain: str
    help_de: str
    #: +1 higher is better, -1 higher is worse, 0 neutral (colours and traffic lights follow it).
    polarity: int = 0
    #: value = scale × numerator ÷ denominator; None for plain counts (value = numerator).
    scale: float | None = None
    decimals: int = 0
    sensitive: bool = False
    #: Data kinds the figure rests on (for the source footer).
    sources: tuple[str, ...] = ("bevoelkerung",)
    compute: ComputeFn | None = None
    #: Definition for the register: what is counted (Zähler) and the base (Nenner).
    numerator_de: str = ""
    denominator_de: str = ""
    #: Department that delivers the figure and answers for it (Quelle / zuständig).
    department: str = ""
    #: Small-number thresholds of a sensitive indicator (see planning.suppression).
    min_count: int = 3
    min_denominator: float = 100.0
    #: The denominator counts people: a rate on fewer than the parameter ``mindestbasis_quote`` is
    #: marked and left out of rankings (planning.small_base). False where it counts classes or Züge.
    base_counts_people: bool = True
    #: Added by planners in the app (table ``indicator_definition``), not built in.
    custom: bool = False

    @property
    def rule(self) -> SuppressionRule | None:
        """The suppression rule when the indicator is sensitive, else None (published as is)."""
        if not self.sensitive:
            return None
        return SuppressionRule(min_count=self.min_count, min_denominator=self.min_denominator)

    @property
    def column_label(self) -> str:
        """Table header: the label, with the unit where it is not already obvious from the label."""
        return (
            self.label_de
            if self.unit in ("", "Kinder", "Personen", "Plätze")
            else f"{self.label_de} ({self.unit})"
        )

    @property
    def is_rate(self) -> bool:
        return self.scale is not None

    def format(self, value: float | None) -> str:
        """German number format with the indicator's decimals and unit."""
        return format_value(value, self.decimals, self.unit)


#: An indicator or its code (built-in codes only; added indicators are passed as objects).
IndicatorRef: TypeAlias = "Indicator | str"
