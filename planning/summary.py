"""City-wide key figures (Lagebild KPI cards and ``python -m planning summary``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planning.formatting import school_year
from planning.indicators import city_series, kita_places_by_year, primary_enrollment
from planning.repository import PlanningData


def _at(series: pd.DataFrame, year: int, column: str = "value") -> float | None:
    row = series[series["year"] == year]
    if row.empty or pd.isna(row[column].iloc[0]):
        return None
    return float(row[column].iloc[0])


def _int(x: float | None) -> int | None:
    return None if x is None else round(x)


def latest_population_year(data: PlanningData) -> int | None:
    pop = data.population
    return int(pop["year"].max()) if not pop.empty else None


def city_summary(data: PlanningData, year: int | None = None) -> dict[str, Any]:
    """Key figures for ``year`` (default: the latest population year).

    Kitas and places count the facilities in operation in that year; pupils are taken from the
    school year that starts in that year (or the latest one before it, or the nearest after it).
    A domain without a loaded dataset (no Kita list, no school list) is None, not 0.
    """
    year = year or latest_population_year(data)
    out: dict[str, Any] = {
        "municipality": data.layout.municipality,
        "layout": data.layout.code,
        "areas": int((data.areas["level"] == data.data_level).sum()),
        "population_year": year,
    }
    for key, code in (
        ("population_total", "einwohner"),
        ("children_0_3", "kinder_u3"),
        ("children_3_6", "kinder_3_6"),
        ("children_6_10", "kinder_6_10"),
    ):
        out[key] = _int(_at(city_series(data, code), year)) if year is not None else None
    kitas = data.kitas
    if "kitas" not in data.versions:  # no Kita list loaded: unknown, never "0 places"
        out["kitas"], out["kita_places"] = None, None
    elif year is not None and not kitas.empty:
        in_op = kita_places_by_year(kitas, [year])
        out["kitas"] = int(in_op["kitas"].sum())
        out["kita_places"] = int(in_op["places_total"].sum())
    else:
        out["kitas"], out["kita_places"] = 0, 0
    for key, code in (("versorgung_u3", "versorgung_u3"), ("versorgung_ue3", "versorgung_ue3")):
        val = _at(city_series(data, code), year) if year is not None and "kitas" in data.versions else None
        out[key] = None if val is None else round(val, 1)
    out["schools"] = len(data.schools) if "schulen" in data.versions else None
    e = data.enrollment
    if not e.empty:
        # The school year starting in `year`, else the latest before it, else the nearest after it
        # (the figure is always labelled with its school year).
        years = sorted(int(y) for y in e["school_year"].unique())
        earlier = [y for y in years if y <= (year or 9999)]
        sy = earlier[-1] if earlier else years[0]
        out["school_year"] = school_year(sy)
        out["pupils"] = int(e.loc[e["school_year"] == sy, "pupils"].sum())
        prim = primary_enrollment(data)
        out["primary_pupils"] = int(prim.loc[prim["year"] == sy, "pupils"].sum())
    else:
        out["school_year"], out["pupils"], out["primary_pupils"] = None, None, None
    return out


def missing_domains(data: PlanningData) -> list[tuple[str, str]]:
    """(what, Datenart) of each planning domain without data: said on the pages, never shown as 0.

    Züge and Ganztag places count as missing when no primary school of the list reports them (a
    school list without those columns says nothing about the capacity).
    """
    out: list[tuple[str, str]] = []
    if "kitas" not in data.versions and "kindertagespflege" not in data.versions:
        out.append(("Kita-Liste", "kitas"))
    schools = data.schools if "schulen" in data.versions else data.schools.iloc[0:0]
    primary = schools[schools["schulart"] == "Grundschule"] if not schools.empty else schools
    if schools.empty:
        out.append(("Schulliste (Züge, Ganztagsplätze)", "schulen"))
    else:
        if primary.empty or primary["zuege"].isna().all():
            out.append(("Züge der Grundschulen", "schulen"))
        if primary.empty or primary["ganztag_places"].isna().all():
            out.append(("Ganztagsplätze", "schulen"))
    if "schueler" not in data.versions:
        out.append(("Schülerzahlen", "schueler"))
    if "geburten" not in data.versions:
        out.append(("Geburten", "geburten"))
    return out
