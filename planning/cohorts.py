"""Birth cohorts (Geburtsjahrgänge) through the plan: the same children from birth through Kita to the
end of primary school with their Ganztag demand, and each cohort's school entry against the Züge.

Read from a computed plan (:class:`planning.plan.PlanResult`); the Kohorten page (``pages/kohorten.py``)
shows both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.parameters import GAFOEG_FIRST_YEAR
from planning.plan import GRADES, PlanResult, aggregate


def cohort_chain(result: PlanResult, gebiet_ids: list[str] | None, cohorts: list[int]) -> pd.DataFrame:
    """The same children from birth to the end of primary school, per birth cohort (Geburtsjahrgang).

    Rows ``cohort, year, stage, step, children, ganztag_demand, observed``: ages 0–5 from the
    (projected) children — stage ``U3`` (0–2) and ``Ü3`` (3–5) — then grades 1–4 of primary school
    in the years ``cohort + 5 + g`` (stage ``Grundschule``: the cohort's pupils, = entrants ×
    progression ratios) with their Ganztag demand under the GaFöG phase-in. ``gebiet_ids`` None =
    the whole city. Years beyond the plan horizon are left out.
    """
    c = result.children
    t = result.table
    if gebiet_ids is not None:
        c = c[c["gebiet_id"].isin(gebiet_ids)]
        t = t[t["gebiet_id"].isin(gebiet_ids)]
    all_children = c
    c = c.assign(cohort=c["year"] - c["age"])
    c = c[c["cohort"].isin(cohorts) & (c["age"] <= 5)]
    young = c.groupby(["cohort", "year", "age"], as_index=False).agg(
        children=("children", "sum"), observed=("observed", "all")
    )
    young = young.assign(
        stage=np.where(young["age"] <= 2, "U3", "Ü3"),
        step=young["age"].map(lambda a: "Geburtsjahr" if a == 0 else ("1 Jahr" if a == 1 else f"{a} Jahre")),
        ganztag_demand=np.nan,
    )
    by_year = t.groupby("year")[[f"pupils_{g}" for g in GRADES]].sum(min_count=1)
    observed_years = set(t.loc[t["observed"], "year"])
    params = result.params
    rows = []
    for cohort in cohorts:
        for g in GRADES:
            year = cohort + 5 + g
            if year not in by_year.index:
                continue
            pupils = by_year.loc[year, f"pupils_{g}"]
            entitled = year >= GAFOEG_FIRST_YEAR + g - 1
            quota = params["ganztag_bedarfsquote"] if entitled else params["ganztag_quote_ohne_anspruch"]
            rows.append(
                {
                    "cohort": cohort,
                    "year": year,
                    "age": 5 + g,
                    "children": pupils,
                    "observed": year in observed_years,
                    "stage": "Grundschule",
                    "step": f"Klasse {g}",
                    "ganztag_demand": pupils * quota,
                }
            )
    school = pd.DataFrame(rows, columns=[*young.columns])
    out = pd.concat([young, school], ignore_index=True) if not school.empty else young
    out = out.sort_values(["cohort", "year"]).reset_index(drop=True)
    # Range of the summed children: the age (at school: the school-entry age in the entry year) and
    # the years ahead; the size is all children 0–17 of the chosen areas in that year.
    size = all_children.groupby("year")["children"].sum()
    low, high = out["children"].to_numpy(dtype=float), out["children"].to_numpy(dtype=float)
    if result.errors is not None:
        at_school = out["stage"].to_numpy() == "Grundschule"
        age = np.where(at_school, 6, out["age"].to_numpy(dtype=float))
        first_year = out["year"].to_numpy(dtype=float) - np.where(
            at_school, out["age"].to_numpy(dtype=float) - 6, 0
        )
        horizon = first_year - result.base_year
        sizes = out["year"].map(size).to_numpy(dtype=float)
        low, high = low.copy(), high.copy()
        for a in np.unique(age):
            sel = (age == a) & (horizon >= 1)
            lo_a, hi_a = result.errors.interval(
                out["children"].to_numpy(dtype=float)[sel], int(a), int(a), horizon[sel], sizes[sel]
            )
            low[sel], high[sel] = lo_a, hi_a
    return out.assign(children_low=low, children_high=high)


def school_entry_check(result: PlanResult, gebiet_ids: list[str] | None, cohorts: list[int]) -> pd.DataFrame:
    """Per cohort: school-entry year, entrants, entry classes needed vs Züge, Ganztag balance then."""
    t = result.table if gebiet_ids is None else result.table[result.table["gebiet_id"].isin(gebiet_ids)]
    summed = aggregate(t, result.params, None).set_index("year")
    rows = []
    for cohort in cohorts:
        year = cohort + 6
        if year not in summed.index:
            continue
        r = summed.loc[year]
        rows.append(
            {
                "cohort": cohort,
                "year": year,
                "school_entrants": r["school_entrants"],
                "zuege_needed": r["zuege_needed"],
                "zuege_available": r["zuege_available"],
                "ganztag_demand": r["ganztag_demand"],
                "ganztag_places": r["ganztag_places"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "cohort",
            "year",
            "school_entrants",
            "zuege_needed",
            "zuege_available",
            "ganztag_demand",
            "ganztag_places",
        ],
    )
