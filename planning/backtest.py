"""Backtest of the children projection: project from an earlier base year, compare with what happened.

Error per horizon *h* (years after the base year) on the children 0–17 of each area:
``APE = |projected − observed| / observed``; MAPE is its mean over areas with children, bias the
mean signed relative error (positive = projection too high). Good small-area forecasts stay within
a few percent one year ahead; the error grows with the horizon and for smaller areas.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from planning.projection import ProjectionParams, project


def backtest(
    children: pd.DataFrame, base_year: int, params: ProjectionParams | None = None
) -> dict[str, Any]:
    """``children``: long ``gebiet_id, year, age, count``; returns the error figures as a JSON-ready dict."""
    years = sorted(int(y) for y in children["year"].unique())
    later = [y for y in years if y > base_year]
    if base_year not in years or not later:
        raise ValueError(
            f"Basisjahr {base_year} braucht beobachtete Jahre davor und danach (vorhanden: "
            f"{years[0]}–{years[-1]})."
        )
    p = replace(params or ProjectionParams(), years=later[-1] - base_year)
    train = children[children["year"] <= base_year]
    projected = project(train, p).groupby(["gebiet_id", "year"], as_index=False)["children"].sum()
    observed = (
        children[children["year"].isin(later)]
        .groupby(["gebiet_id", "year"], as_index=False)["count"]
        .sum(min_count=1)
        .rename(columns={"count": "observed"})
    )
    both = projected.merge(observed, on=["gebiet_id", "year"])
    both = both[both["observed"] > 0]
    both = both.assign(rel=(both["children"] - both["observed"]) / both["observed"])
    horizons = []
    for year, grp in both.groupby("year"):
        city_obs, city_proj = grp["observed"].sum(), grp["children"].sum()
        horizons.append(
            {
                "horizon": int(year) - base_year,
                "year": int(year),
                "mape": round(float(grp["rel"].abs().mean() * 100), 2),
                "bias": round(float(grp["rel"].mean() * 100), 2),
                "city_error": round(float((city_proj - city_obs) / city_obs * 100), 2),
                "areas": len(grp),
            }
        )
    return {
        "base_year": base_year,
        "unit": "Prozent",
        "measure": "Kinder 0–17 je Gebiet",
        "horizons": horizons,
    }
