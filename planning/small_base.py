"""Rates on too small a base: shown, marked, never ranked.

An industrial area with 3 children under 3 and no Kita has a Versorgungsquote of 0,0 %; one child
more or less moves it by 33 percentage points. Such a rate is shown (with its mark, "zu wenige
Kinder") but takes no part in rankings, traffic lights, trends or lists of the "ungünstigsten"
areas, in the app, the paper and exports. The threshold is the planning parameter
``mindestbasis_quote`` (:mod:`planning.parameters`, with its source), passed in explicitly.

Small-number *protection* (:mod:`planning.suppression`) is a different matter: it hides sensitive
figures entirely; this module only keeps unreliable rates out of comparisons. A table carries the
mark as a boolean column ``few``; :func:`planning.profile.rank_of` and the lights honour it.
"""

from __future__ import annotations

import pandas as pd

from planning.formatting import number
from planning.indicators import Indicator
from planning.parameters import get_parameter

#: The mark beside a rate on too small a base (children in the denominator).
FEW_CHILDREN = "zu wenige Kinder"
#: The mark where the base is not children (residents, households, leavers).
FEW_OTHER = "zu kleine Bezugsgruppe"
PARAMETER = "mindestbasis_quote"


def default_minimum() -> float:
    """The registered threshold (parameter ``mindestbasis_quote``)."""
    return float(get_parameter(PARAMETER).default)


def applies(indicator: Indicator) -> bool:
    """A rate whose denominator counts people (not, say, Züge × 4)."""
    return indicator.is_rate and indicator.base_counts_people


def label(indicator: Indicator) -> str:
    """ "zu wenige Kinder" where the base is children or pupils, else "zu kleine Bezugsgruppe"."""
    base = indicator.denominator_de
    return FEW_CHILDREN if any(w in base for w in ("Kinder", "Schüler")) else FEW_OTHER


def few_mask(table: pd.DataFrame, indicator: Indicator, minimum: float | None) -> pd.Series:
    """Rows (index-aligned) whose rate rests on fewer than ``minimum`` in the denominator.

    Only rows with a shown value count (missing and secret values are already out of every
    ranking); ``minimum`` None or 0 marks nothing. Raises ``ValueError`` without ``value`` or
    ``denominator`` for a rate.
    """
    if minimum is None or minimum <= 0 or not applies(indicator):
        return pd.Series(False, index=table.index, dtype=bool)
    missing = [c for c in ("value", "denominator") if c not in table.columns]
    if missing:
        raise ValueError(f"Tabelle ohne Spalte(n) für die Mindestbasis: {', '.join(missing)}")
    den = pd.to_numeric(table["denominator"], errors="coerce").astype("Float64")
    shown = table["value"].notna()
    if "suppressed" in table.columns:
        shown &= ~table["suppressed"].astype("boolean").fillna(False)
    return (shown & den.notna() & (den < minimum)).fillna(False).astype(bool)


def mark(table: pd.DataFrame, indicator: Indicator, minimum: float | None) -> pd.DataFrame:
    """A copy of ``table`` with the boolean column ``few`` (see :func:`few_mask`)."""
    return table.assign(few=few_mask(table, indicator, minimum).to_numpy())


def rankable(table: pd.DataFrame) -> pd.Series:
    """Rows that may enter a ranking: a value, not secret, not marked ``few``."""
    ok = table["value"].notna()
    for col in ("suppressed", "few"):
        if col in table.columns:
            ok &= ~table[col].astype("boolean").fillna(False)
    return ok.fillna(False).astype(bool)


def note(indicator: Indicator, minimum: float, count: int) -> str:
    """The sentence under a table or map with ``count`` marked areas."""
    what = "Kindern" if label(indicator) == FEW_CHILDREN else "Personen"
    return (
        f"„{label(indicator)}“ ({count}): Quote aus weniger als {number(minimum)} {what} – gezeigt, "
        "aber nicht eingereiht (kein Rang, keine Ampel), weil ein einzelner Fall sie stark verschiebt."
    )
