"""German numbers, percentages, ranges and school years: one place for every page, paper, CLI
message and export.

Thousands with a full stop, decimals with a comma (``1.234,5``), a hyphen-minus for negative values
(Streamlit reads a leading "-" as a negative delta; "-0" never appears: a value that rounds to zero
has no sign), percentages with a narrow space
before ``%`` as in DIN 5008 (``12,3 %``), school years as ``2026/27``. A missing value is said in
words ("keine Daten"), never shown as 0.
"""

from __future__ import annotations

import math

import pandas as pd

MISSING = "keine Daten"


def _missing(value: object) -> bool:
    """None, NaN and pandas' NA (a nullable column's missing value) are missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def number(value: float | None, decimals: int = 0, *, signed: bool = False, missing: str = MISSING) -> str:
    """``1.234,5``; ``+12`` with ``signed``; ``missing`` for None/NaN."""
    if _missing(value):
        return missing
    v = float(value)  # type: ignore[arg-type]
    if round(v, decimals) == 0:
        v = 0.0  # no "-0"
    text = f"{abs(v):,.{decimals}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if v < 0:
        return f"-{text}"
    return f"+{text}" if signed and v > 0 else text


def percent(value: float | None, decimals: int = 1, *, signed: bool = False, missing: str = MISSING) -> str:
    """``12,3 %`` (``value`` already in percent)."""
    if _missing(value):
        return missing
    return f"{number(value, decimals, signed=signed)} %"


def number_range(low: float | None, high: float | None, decimals: int = 0) -> str:
    """``1.150–1.320`` (a range of two numbers); "–" when either end is missing."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{number(low, decimals)} bis {number(high, decimals)}"


def format_value(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """A figure with its unit as indicators show it (counts of people and places without unit)."""
    if _missing(value):
        return MISSING
    text = number(value, decimals)
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}".strip() if unit and unit not in ("Kinder", "Personen", "Plätze") else text


def school_year(year: int) -> str:
    """``2026/27`` for the school year starting 1 August ``year``."""
    return f"{year}/{str(year + 1)[-2:]}"
