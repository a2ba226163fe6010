"""The Quervergleich's data, shaped for its page and its CSV export (pure, no streamlit).

- :func:`compare`: two indicators' district tables → the value pairs of one year, the reference
  lines (city values, else the districts' medians) and the correlation;
- :func:`quadrant_rows`: the districts of one quadrant as the page lists them;
- :func:`ranking`: the priority list over several indicators, its display frame and its CSV.

The rules themselves (pairs, quadrants, correlation, score) live in :mod:`planning.crossdomain`;
``ui/crossview.py`` keeps the widgets and caches these results per data version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from planning import crossdomain as xd
from planning import small_base
from planning.exports import csv_bytes
from planning.indicators import Indicator
from planning.suppression import GEHEIM, KEINE_DATEN

#: The reference lines' label: the city's own values, or (one missing) the districts' medians.
CITY = "Gesamtstadt"
MEDIAN = "Median der Gebiete"
ALL_DISTRICTS = "alle Gebiete"


def fmt_number(value: float | None, decimals: int = 2, signed: bool = False) -> str:
    """German number: decimal comma, typographic minus (``−0,62``); "–" for a missing value."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    return text.replace(".", ",").replace("-", "−")


def years_of(table_all: pd.DataFrame) -> list[int]:
    """The years with a row in an indicator's district table, ascending."""
    return sorted(int(y) for y in table_all["year"].dropna().unique())


def year_table(names: pd.DataFrame, table_all: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """All districts of ``names`` (gebiet_id, name) with the indicator of ``year`` (NA without a row)."""
    cols = [c for c in ("gebiet_id", "year", "value", "denominator", "suppressed") if c in table_all.columns]
    rows = table_all[table_all["year"] == year][cols] if year is not None else table_all.iloc[0:0][cols]
    return names.merge(rows, on="gebiet_id", how="left")


def city_value(city: pd.DataFrame, year: int | None) -> float | None:
    """The city's value of ``year`` from its series; None when missing or suppressed."""
    row = city[city["year"] == year]
    if row.empty:
        return None
    if "suppressed" in row.columns and bool(pd.Series(row["suppressed"]).fillna(False).iloc[0]):
        return None
    value = row["value"].iloc[0]
    return None if pd.isna(value) else float(value)


@dataclass(frozen=True)
class Comparison:
    """Two indicators over the districts of one level: what the scatter, cards and table show."""

    pairs: pd.DataFrame
    #: The year both have (None: none in common, each from its nearest year ``x_year``/``y_year``).
    year: int | None
    x_year: int | None
    y_year: int | None
    #: Reference lines (None without any shown district); ``ref_label`` says which kind.
    x_ref: float | None
    y_ref: float | None
    ref_label: str
    correlation: xd.Correlation


def compare(
    names: pd.DataFrame,
    x_all: pd.DataFrame,
    y_all: pd.DataFrame,
    x_city: pd.DataFrame,
    y_city: pd.DataFrame,
    wanted: int,
) -> Comparison:
    """X against Y in the year nearest ``wanted`` that both have, with the city values as reference.

    Without a common year each side comes from its own nearest year. When a city value is missing,
    both lines lie at the medians of the districts shown, so the quadrants stay comparable.
    """
    year = xd.common_year([years_of(x_all), years_of(y_all)], wanted)
    x_year = year if year is not None else xd.nearest_year(years_of(x_all), wanted)
    y_year = year if year is not None else xd.nearest_year(years_of(y_all), wanted)
    pairs = xd.pair_table(year_table(names, x_all, x_year), year_table(names, y_all, y_year))
    x_ref, y_ref = city_value(x_city, x_year), city_value(y_city, y_year)
    ref_label = CITY
    shown = pairs[(pairs["x_status"] == xd.OK) & (pairs["y_status"] == xd.OK)]
    if (x_ref is None or y_ref is None) and not shown.empty:
        ref_label = MEDIAN
        x_ref, y_ref = float(shown["x"].median()), float(shown["y"].median())
    return Comparison(pairs, year, x_year, y_year, x_ref, y_ref, ref_label, xd.correlation(pairs))


def quadrant_rows(
    quadrants: pd.DataFrame, choice: str, x_ind: Indicator, y_ind: Indicator, level_name: str
) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """The districts in quadrant ``choice`` (or :data:`ALL_DISTRICTS`), the worst X first.

    Returns the rows (with ids and statuses), the display frame (name, X, Y, and the quadrant when
    all are listed) and the two value headers (prefixed ``X:``/``Y:`` when both read the same).
    """
    part = quadrants if choice == ALL_DISTRICTS else quadrants[quadrants["quadrant"] == choice]
    if x_ind.polarity != 0:
        part = part.sort_values(["x", "name"], ascending=[x_ind.polarity > 0, True], na_position="last")
    part = part.reset_index(drop=True)
    x_col, y_col = x_ind.column_label, y_ind.column_label
    if x_col == y_col:
        x_col, y_col = f"X: {x_col}", f"Y: {y_col}"
    shown = pd.DataFrame({level_name: part["name"], x_col: part["x"], y_col: part["y"]})
    if choice == ALL_DISTRICTS:
        shown["Quadrant"] = part["quadrant"]
    return part, shown, x_col, y_col


def _cell(value: float | None, status: str, decimals: int) -> str:
    """A CSV cell: ``geheim``, ``keine Daten`` or the number with a decimal comma, no thousands mark."""
    if status == GEHEIM:
        return GEHEIM
    if status != xd.OK or value is None or pd.isna(value):
        return KEINE_DATEN
    return f"{float(value):.{decimals}f}".replace(".", ",")


def notes(ranking: pd.DataFrame, codes: Sequence[str]) -> list[str]:
    """Per ranked district: ``unvollständig: 1 geheim, 2 ohne Daten`` or ""."""
    statuses = list(zip(*(ranking[xd.status_column(c)].tolist() for c in codes), strict=True))
    out = []
    for row in statuses or [() for _ in range(len(ranking))]:
        secret, missing = row.count(GEHEIM), row.count(KEINE_DATEN)
        parts = ([f"{secret} geheim"] if secret else []) + ([f"{missing} ohne Daten"] if missing else [])
        out.append(f"unvollständig: {', '.join(parts)}" if parts else "")
    return out


def ranking_frame(
    ranking: pd.DataFrame, indicators: Sequence[Indicator], headers: Sequence[str], level_name: str
) -> pd.DataFrame:
    """The ranking with German headers and text cells (for the CSV export)."""
    out = pd.DataFrame(
        {
            "Rang": [("" if pd.isna(r) else str(int(r))) for r in ranking["rank"]],
            "Gebiets-ID": ranking["gebiet_id"],
            level_name: ranking["name"],
            "Punktwert (0–100)": [_cell(s, xd.OK, 1) for s in ranking["score"]],
            "Ungünstig in": [
                f"{k} von {n}" for k, n in zip(ranking["unfavourable"], ranking["available"], strict=True)
            ],
        }
    )
    for ind, header in zip(indicators, headers, strict=True):
        out[header] = [
            _cell(v, s, ind.decimals)
            for v, s in zip(
                ranking[xd.value_column(ind.code)], ranking[xd.status_column(ind.code)], strict=True
            )
        ]
    out["Hinweis"] = notes(ranking, [i.code for i in indicators])
    return out


def ranking_csv(
    ranking: pd.DataFrame, indicators: Sequence[Indicator], headers: Sequence[str], level_name: str
) -> bytes:
    """Semicolon CSV with decimal commas, UTF-8 with BOM: opens correctly in a German Excel."""
    frame = ranking_frame(ranking, indicators, headers, level_name)
    return csv_bytes(frame, sep=";", bom=True)


@dataclass(frozen=True)
class Ranking:
    """The priority list as the page shows it and offers it for download."""

    ranking: pd.DataFrame
    #: Common year of all indicators (None: each from its nearest year, named in its header).
    year: int | None
    headers: list[str]
    #: Display frame: Rang, name, Punktwert, Ungünstig in, one column per indicator, Hinweis if any.
    shown: pd.DataFrame
    csv: bytes


def ranking(
    names: pd.DataFrame,
    chosen: Sequence[Indicator],
    tables_all: Sequence[pd.DataFrame],
    wanted: int,
    level_name: str,
    minimum: float | None = None,
) -> Ranking:
    """Districts ranked over ``chosen`` in the year nearest ``wanted`` that all have.

    Rates on too small a base (``minimum``, default: the registered threshold) are shown but not
    ranked (:mod:`planning.small_base`).
    """
    base = small_base.default_minimum() if minimum is None else minimum
    year = xd.common_year([years_of(t) for t in tables_all], wanted)
    years = [year if year is not None else xd.nearest_year(years_of(t), wanted) for t in tables_all]
    ranked = xd.priority_ranking(
        [
            (ind, small_base.mark(year_table(names, t, y), ind, base))
            for ind, t, y in zip(chosen, tables_all, years, strict=True)
        ]
    )
    headers = [
        ind.column_label + (f" ({y})" if year is None and y is not None else "")
        for ind, y in zip(chosen, years, strict=True)
    ]
    shown = pd.DataFrame(
        {
            "Rang": ranked["rank"],
            level_name: ranked["name"],
            "Punktwert": ranked["score"],
            "Ungünstig in": [
                f"{k} von {a}" for k, a in zip(ranked["unfavourable"], ranked["available"], strict=True)
            ],
        }
    )
    for ind, header in zip(chosen, headers, strict=True):
        shown[header] = ranked[xd.value_column(ind.code)]
    hints = notes(ranked, [i.code for i in chosen])
    if any(hints):
        shown["Hinweis"] = hints
    csv = ranking_csv(ranked, chosen, headers, level_name)
    return Ranking(ranked, year, headers, shown, csv)
