"""How the computed indicators are derived from the loaded data, per data-level area and year:
each function returns ``gebiet_id, year, numerator, denominator`` (see :mod:`planning.indicators`)."""

from __future__ import annotations

import pandas as pd

from planning.indicators.definition import ComputeFn, Frame
from planning.population import age_range_count
from planning.repository import PlanningData


def _empty() -> Frame:
    return pd.DataFrame(
        {
            "gebiet_id": pd.Series(dtype="str"),
            "year": pd.Series(dtype="int64"),
            "numerator": pd.Series(dtype="Float64"),
            "denominator": pd.Series(dtype="Float64"),
        }
    )


def _ages(data: PlanningData, a0: int, a1: int | None) -> Frame:
    """``age_range_count`` of the data's population, computed once per data and age range."""
    return data.derived(("age_range_count", a0, a1), lambda: age_range_count(data.population, a0, a1))


def count(a0: int, a1: int | None) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        c = _ages(data, a0, a1)
        return c.rename(columns={"count": "numerator"}).assign(denominator=pd.NA)

    return fn


def share(a0: int, a1: int | None) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        num = _ages(data, a0, a1).rename(columns={"count": "numerator"})
        den = _ages(data, 0, None).rename(columns={"count": "denominator"})
        return num.merge(den, on=["gebiet_id", "year"], how="outer")

    return fn


def kita_places_by_year(kitas: Frame, years: list[int]) -> Frame:
    """Places in operation per ``gebiet_id, year``: opened by the year and not yet closed.

    Columns ``kitas, places_total, places_u3, places_ue3``. A Kita counts in year *y* if
    ``opening_year`` is empty or ≤ *y* and ``closing_year`` is empty or > *y*; a planned Kita
    without opening year never counts. Kitas without area are grouped under ``gebiet_id`` NA.
    """
    cols = ["places_total", "places_u3", "places_ue3"]
    if kitas.empty or not years:
        return pd.DataFrame(columns=["gebiet_id", "year", "kitas", *cols])
    k = kitas.assign(gebiet_id=kitas["gebiet_id"].fillna("\0"))
    yrs = pd.DataFrame({"year": years})
    grid = k.merge(yrs, how="cross")
    grid = grid[_kita_in_operation(grid, grid["year"]).to_numpy()]
    groups = grid.groupby(["gebiet_id", "year"])
    out = pd.concat([groups.size().rename("kitas"), groups[cols].sum(min_count=1)], axis=1).reset_index()
    return out.assign(gebiet_id=out["gebiet_id"].replace("\0", pd.NA))


def _population_years(data: PlanningData) -> list[int]:
    return sorted(int(y) for y in data.population["year"].unique()) if not data.population.empty else []


def _places(data: PlanningData, split: bool) -> Frame:
    """Kita places per area and year (``split``: U3/Ü3 completed by :func:`split_places`), once per data."""

    def compute() -> Frame:
        return kita_places_by_year(split_places(data.kitas) if split else data.kitas, _population_years(data))

    return data.derived(("kita_places", split), compute)


def kita_places(data: PlanningData) -> Frame:
    places = _places(data, split=False)
    if places.empty:
        return _empty()
    return places.rename(columns={"places_total": "numerator"})[["gebiet_id", "year", "numerator"]].assign(
        denominator=pd.NA
    )


def split_places(kitas: Frame) -> Frame:
    """U3 and Ü3 places per Kita as the plan counts them: the Kita's own figures, else its total
    split by the parameter ``u3_anteil_gemischt`` (Kita lists such as Berlin's carry only totals)."""
    from planning.parameters import get_parameter

    if kitas.empty:
        return kitas
    share = float(get_parameter("u3_anteil_gemischt").default)
    u3 = kitas["places_u3"].astype("Float64")
    ue3 = kitas["places_ue3"].astype("Float64")
    total = kitas["places_total"].astype("Float64").fillna(u3 + ue3)
    u3_eff = u3.fillna(total - ue3).fillna(total * share)
    return kitas.assign(places_u3=u3_eff, places_ue3=ue3.fillna(total - u3_eff))


def versorgung(age_from: int, age_to: int, column: str, with_tagespflege: bool) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        children = _ages(data, age_from, age_to).rename(columns={"count": "denominator"})
        places = _places(data, split=True)
        num = (
            places[["gebiet_id", "year", column]].rename(columns={column: "numerator"})
            if not places.empty
            else pd.DataFrame(columns=["gebiet_id", "year", "numerator"])
        )
        if with_tagespflege and not data.kindertagespflege.empty:
            ktp = data.kindertagespflege.rename(columns={"places": "ktp"})
            num = num.merge(ktp, on=["gebiet_id", "year"], how="outer")
            num["numerator"] = num["numerator"].astype("Float64").fillna(0) + num["ktp"].astype(
                "Float64"
            ).fillna(0)
            num = num.drop(columns="ktp")
        out = children.merge(num, on=["gebiet_id", "year"], how="left")
        # An area with children but no places has a quota of 0 %, not "no data".
        out["numerator"] = out["numerator"].astype("Float64").fillna(0)
        return out

    return fn


#: Catchment of the Kita reachability indicator: 1,500 m on foot (about 20 minutes with a child)
#: as straight line × detour factor (Umwegfaktor) 1.3 for an urban street network.
REACH_DISTANCE_M = 1500.0
REACH_DETOUR = 1.3


def _kita_in_operation(kitas: Frame, year: int | pd.Series) -> pd.Series:
    """Kitas in operation in ``year`` (a number, or a column of years aligned with ``kitas``):
    opened by then and not yet closed; a planned Kita without opening year never counts."""
    opened = kitas["opening_year"].isna() | (kitas["opening_year"] <= year)
    still = kitas["closing_year"].isna() | (kitas["closing_year"] > year)
    planned = (kitas["status"] == "geplant") & kitas["opening_year"].isna()
    return (opened & still & ~planned).fillna(False).astype(bool)


def kita_reach(data: PlanningData) -> Frame:
    """Reachable Kita places per child 0–5 by 2SFCA (see :mod:`geodata.reach`).

    numerator = places attributed to the area (A_i × children), denominator = children 0–5, so
    upper levels get the child-weighted mean. Kitas without coordinates cannot be placed and are
    left out (their count is in the indicator's help).
    """
    from geodata.reach import facility_points, representative_points, two_step_fca

    if data.population.empty or data.kitas.empty:
        return _empty()
    areas = data.areas[data.areas["level"] == data.data_level]
    points = representative_points(areas, epsg=data.layout.epsg)
    kitas = data.kitas[data.kitas["lon"].notna() & data.kitas["places_total"].notna()]
    if kitas.empty:
        return _empty()
    fac = facility_points(kitas, epsg=data.layout.epsg)
    children = _ages(data, 0, 5)
    parts = []
    for year in _population_years(data):
        open_now = fac[_kita_in_operation(fac, year).to_numpy()]
        supply = pd.DataFrame(
            {
                "id": open_now["kita_id"],
                "x": open_now["x"],
                "y": open_now["y"],
                "capacity": open_now["places_total"],
                "area": open_now["gebiet_id"],
            }
        )
        kids = children[children["year"] == year].set_index("gebiet_id")["count"]
        demand = points.assign(population=points["id"].map(kids).astype(float).fillna(0.0))
        r = two_step_fca(
            demand, supply, max_distance_m=REACH_DISTANCE_M, detour_factor=REACH_DETOUR, own_area="area"
        )
        has_children = r["id"].isin(kids.index)
        parts.append(
            pd.DataFrame(
                {
                    "gebiet_id": r["id"],
                    "year": year,
                    "numerator": r["allocated"].where(has_children),
                    "denominator": r["population"].where(has_children),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def primary_enrollment(data: PlanningData) -> Frame:
    """Primary pupils (Grundschule, grades 1–4) and classes per school area and school year."""
    e = data.enrollment
    if e.empty:
        return pd.DataFrame(columns=["gebiet_id", "year", "pupils", "classes"])
    # Grade 0 holds all grades of a school together; at a Grundschule these are grades 1–4.
    e = e[(e["schulart"] == "Grundschule") & e["grade"].between(0, 4) & e["gebiet_id"].notna()]
    return (
        e.rename(columns={"school_year": "year"})
        .groupby(["gebiet_id", "year"], as_index=False)[["pupils", "classes"]]
        .sum(min_count=1)
    )


def grundschueler(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    if p.empty:
        return _empty()
    return p.rename(columns={"pupils": "numerator"})[["gebiet_id", "year", "numerator"]].assign(
        denominator=pd.NA
    )


def _primary_schools(data: PlanningData) -> Frame:
    s = data.schools
    return s[(s["schulart"] == "Grundschule") & s["gebiet_id"].notna()] if not s.empty else s


def ganztag_quote(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    schools = _primary_schools(data)
    if p.empty or schools.empty:
        return _empty()
    places = schools.groupby("gebiet_id", as_index=False)["ganztag_places"].sum(min_count=1)
    out = p.merge(places, on="gebiet_id", how="left")
    return out.rename(columns={"ganztag_places": "numerator", "pupils": "denominator"})[
        ["gebiet_id", "year", "numerator", "denominator"]
    ]


def zuege_auslastung(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    schools = _primary_schools(data)
    if p.empty or schools.empty:
        return _empty()
    cap = (
        schools.assign(cap=schools["zuege"] * 4).groupby("gebiet_id", as_index=False)["cap"].sum(min_count=1)
    )
    out = p.merge(cap, on="gebiet_id", how="left")
    return out.rename(columns={"classes": "numerator", "cap": "denominator"})[
        ["gebiet_id", "year", "numerator", "denominator"]
    ]
