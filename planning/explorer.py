"""The indicator explorer's figures (Lagebild, Kita, Schule, Jugendhilfe & Soziales): the areas of
one year with value, light and trend, their ranking beside the map and its excerpt for a dense
layout, the facility points, and a figure's change against the previous year.

Pure functions on DataFrames; ``ui/views.py`` draws them. A rate on too small a base (``few``,
:mod:`planning.small_base`) gets no light and follows the ranked areas; secret ones come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from planning import small_base
from planning.formatting import format_value, zuege
from planning.indicators import Indicator
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_SYMBOLS, change_unit, trend

#: The columns of an indicator table taken into the year's area table (``confidential`` if present).
YEAR_COLUMNS = ["gebiet_id", "value", "numerator", "denominator", "suppressed", "few"]


def nearest_year(years: Iterable[int], year: int) -> int:
    """``year`` if the indicator has figures for it, else the nearest year that has (``year`` when
    there are none at all)."""
    have = sorted(set(years))
    if not have or year in have:
        return year
    return min(have, key=lambda y: abs(y - year))


def year_table(names: pd.DataFrame, table_all: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every area of the level (``names``: ``gebiet_id, name``) with its row of ``table_all`` in
    ``year`` (marked by :func:`planning.small_base.mark`); areas without one have no value and are
    neither secret nor ``few``."""
    missing = [c for c in YEAR_COLUMNS if c not in table_all.columns]
    if missing:
        raise ValueError(f"Kennzahltabelle ohne Spalte(n): {', '.join(missing)}")
    columns = YEAR_COLUMNS + (["confidential"] if "confidential" in table_all else [])
    table = names.merge(table_all[table_all["year"] == year][columns], on="gebiet_id", how="left")
    table["suppressed"] = table["suppressed"].fillna(False).astype(bool)
    table["few"] = table["few"].fillna(False).astype(bool)
    return table


def ranked_rows(table: pd.DataFrame, polarity: int, worst_first: bool = False) -> pd.DataFrame:
    """The areas of :func:`year_table` that show something, in the order of the ranking: the most
    favourable value first (``worst_first``: the least favourable, as a meeting discusses the
    problems; without a direction the highest), then those on too small a base, secret ones last.
    Areas without data are left out (they are named below the table)."""
    rows = table[table["value"].notna() | table["suppressed"]]
    ascending = polarity > 0 if worst_first and polarity != 0 else polarity < 0
    return rows.assign(_secret=rows["suppressed"]).sort_values(
        ["_secret", "few", "value"], ascending=[True, True, ascending]
    )


def light_text(light: object) -> str:
    """ "● Ziel erreicht" etc.; empty when there is no light."""
    if light is None or pd.isna(light):
        return ""
    return f"{LIGHT_SYMBOLS[str(light)]} {light!s}"


def value_texts(indicator: Indicator, table: pd.DataFrame) -> list[str]:
    """Formatted values, "geheim" for protected cells and "keine Daten" for missing ones."""
    secret = table["suppressed"] if "suppressed" in table.columns else pd.Series(False, index=table.index)
    return [
        GEHEIM if bool(s) else (KEINE_DATEN if pd.isna(v) else indicator.format(float(v)))
        for v, s in zip(table["value"], secret, strict=True)
    ]


def ranking_table(
    indicator: Indicator,
    rows: pd.DataFrame,
    level_name: str,
    lights: pd.Series | None = None,
    arrows: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The table beside the map, one row per area of :func:`ranked_rows`: the area's name (marked
    when its base is too small or its value confidential) and its value as text, with "Ampel" when
    ``lights`` (by the rows' index) and "Trend" when ``arrows`` (by area) are given."""
    names = rows["name"].astype(str)
    names = names.where(~rows["few"], names + " · " + small_base.label(indicator))
    if "confidential" in rows:  # the name column is wide enough for the mark, the value not
        secret = rows["confidential"].fillna(False).astype(bool)
        names = names.where(~secret, names + " · vertraulich")
    shown = pd.DataFrame({level_name: names.to_numpy(), "Wert": value_texts(indicator, rows)})
    if lights is not None:
        shown["Ampel"] = [light_text(v) for v in lights.reindex(rows.index)]
    if arrows:
        shown["Trend"] = [arrows.get(g, "") for g in rows["gebiet_id"]]
    return shown


@dataclass(frozen=True)
class Excerpt:
    """Head and tail of a long ranking: ``head`` ranks 1…, ``skipped`` rows between, then ``tail``
    (empty when the whole ranking fits); ``ranked`` counts the rows taking part."""

    head: pd.DataFrame
    skipped: int
    tail: pd.DataFrame
    ranked: int


def excerpt(shown: pd.DataFrame, left_out: Iterable[bool], head: int = 8, tail: int = 8) -> Excerpt:
    """The excerpt of a ranking (rows in order); rows ``left_out`` (secret, too small a base) take
    no part."""
    keep = [not x for x in left_out]
    open_rows = shown[keep]
    if len(open_rows) > head + tail:
        skipped = len(open_rows) - head - tail
        return Excerpt(open_rows.iloc[:head], skipped, open_rows.iloc[-tail:], len(open_rows))
    return Excerpt(open_rows, 0, open_rows.iloc[0:0], len(open_rows))


def ranking_order(polarity: int, worst_first: bool = False) -> str:
    """How a ranking is ordered, in words."""
    if not polarity:
        return "Höchster Wert zuerst"
    return "Ungünstigster Wert zuerst" if worst_first else "Günstigster Wert zuerst"


def metric_text(indicator: Indicator, row: pd.DataFrame) -> str:
    """The first row's value as the big figure: formatted, "geheim" or "keine Daten"."""
    if row.empty:
        return KEINE_DATEN
    if "suppressed" in row.columns and bool(row["suppressed"].iloc[0]):
        return GEHEIM
    return indicator.format(row["value"].iloc[0])


def change_text(indicator: Indicator, series: pd.DataFrame, year: int) -> tuple[str | None, str]:
    """The change of ``series`` (``year, value``) in ``year`` against the latest earlier year, and
    its colour by polarity as ``st.metric`` takes it ("normal" = better is green, "inverse", "off").

    The text starts with an ASCII sign because ``st.metric`` reads the direction from it and draws
    its own arrow; green means "better" whichever way the indicator counts.
    """
    t = trend(series, year, indicator.polarity, indicator.decimals)
    if t is None:
        return None, "off"
    if t.arrow == "→":
        return f"unverändert gegenüber {t.previous_year}", "off"
    sign = "+" if t.change > 0 else "-"
    unit = change_unit(indicator.unit)
    text = f"{sign}{format_value(abs(t.change), indicator.decimals, unit)} gegenüber {t.previous_year}"
    colour = "off" if t.improved is None else ("normal" if (t.change > 0) == bool(t.improved) else "inverse")
    return text, colour


def kita_points(kitas: pd.DataFrame) -> pd.DataFrame:
    """The map layer of the Kitas not closed (``lon, lat, name, info``): Träger, places, status."""
    k = kitas[kitas["lon"].notna() & (kitas["status"] != "geschlossen")]
    info = (
        k["traeger"].fillna("Träger unbekannt")
        + " · "
        + k["places_total"].astype("string").fillna("?")
        + " Plätze"
        + k["status"].map(lambda s: "" if s == "in Betrieb" else f" ({s})")
    )
    return pd.DataFrame({"lon": k["lon"], "lat": k["lat"], "name": k["name"], "info": info})


def school_points(schools: pd.DataFrame) -> pd.DataFrame:
    """The map layer of the located schools (``lon, lat, name, info``): Schulart and Zügigkeit."""
    s = schools[schools["lon"].notna()]
    info = [
        a if pd.isna(z) else f"{a} · {zuege(z)}-zügig" for a, z in zip(s["schulart"], s["zuege"], strict=True)
    ]
    return pd.DataFrame({"lon": s["lon"], "lat": s["lat"], "name": s["name"], "info": info})
