"""Backtest of the children projection: project from an earlier base year, compare with what happened.

Error per horizon *h* (years after the base year) on the children 0–17 of each area:
``APE = |projected − observed| / observed``; MAPE is its mean over areas with children, bias the
mean signed relative error (positive = projection too high), city error the relative error of the
city total. Good small-area forecasts stay within a few percent one year ahead; the error grows
with the horizon and for smaller areas.

Training years: the progression factors compare each year with the *next calendar year*, so only
the unbroken run of observed years ending at the base year is used. Earlier years behind a gap
(Flensburg: 2011, then 2017–2021) are left out and ``training_years`` says which years were used;
a base year without the year before it raises ``ValueError``.

Data with age bands only (:func:`backtest_bands`): the single ages of the training years are
estimated from the bands (:func:`planning.bands.split_to_single_ages`, births as cohort weights),
projected as usual, and the projected *band total* (e.g. under-18 per area) is compared with the
observed band total. :func:`backtest_data` picks observed single ages when the base year has
them, else the band estimate; ``method`` in the result says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pandas as pd

from planning.bands import BIRTHS_UP_TO_AGE, band_totals, method_text, split_to_single_ages
from planning.projection import MAX_AGE, ProjectionParams, project, single_ages
from planning.repository import PlanningData

METHOD_OBSERVED = "Einzelalter beobachtet"


def training_years(years: Iterable[int], base_year: int) -> list[int]:
    """The unbroken run of calendar years in ``years`` that ends at ``base_year``."""
    have = {int(y) for y in years}
    if base_year not in have:
        return []
    run = [base_year]
    while run[0] - 1 in have:
        run.insert(0, run[0] - 1)
    return run


def _check_years(years: list[int], base_year: int, observed_later: list[int]) -> list[int]:
    """Training run for ``base_year``; German ``ValueError`` when there is none or nothing to compare."""
    if not years:
        raise ValueError(f"Basisjahr {base_year}: keine Kinderzahlen nach Einzelalter 0–{MAX_AGE} vorhanden.")
    if base_year not in years or not observed_later:
        raise ValueError(
            f"Basisjahr {base_year} braucht beobachtete Jahre davor und danach (vorhanden: "
            f"{years[0]}–{years[-1]})."
        )
    run = training_years(years, base_year)
    if len(run) < 2:
        before = [y for y in years if y < base_year]
        gap = f" (Lücke {before[-1]} → {base_year})" if before else ""
        raise ValueError(
            f"Basisjahr {base_year}: für die Übergangsquoten wird auch das Vorjahr {base_year - 1} "
            f"gebraucht{gap}. Jahre mit Lücke dazwischen werden nicht verwendet; bitte ein späteres "
            "Basisjahr wählen."
        )
    return run


def _horizons(projected: pd.DataFrame, observed: pd.DataFrame, base_year: int) -> list[dict[str, Any]]:
    """``projected``: ``gebiet_id, year, children``; ``observed``: ``gebiet_id, year, observed``."""
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
    return horizons


def _districts(projected: pd.DataFrame, observed: pd.DataFrame, base_year: int) -> list[dict[str, Any]]:
    """Error per district and horizon: ``gebiet_id, horizon, year, projected, observed, error`` (%)."""
    both = projected.merge(observed, on=["gebiet_id", "year"])
    both = both[both["observed"] > 0]
    return [
        {
            "gebiet_id": str(r.gebiet_id),
            "horizon": int(r.year) - base_year,
            "year": int(r.year),
            "projected": round(float(r.children), 1),
            "observed": round(float(r.observed)),
            "error": round(float((r.children - r.observed) / r.observed * 100), 2),
        }
        for r in both.sort_values(["year", "gebiet_id"]).itertuples()
    ]


def backtest(
    children: pd.DataFrame, base_year: int, params: ProjectionParams | None = None
) -> dict[str, Any]:
    """``children``: long ``gebiet_id, year, age, count``; returns the error figures as a JSON-ready dict."""
    years = sorted(int(y) for y in children["year"].unique())
    later = [y for y in years if y > base_year]
    run = _check_years(years, base_year, later)
    p = replace(params or ProjectionParams(), years=later[-1] - base_year)
    train = children[children["year"].isin(run)]
    projected = project(train, p).groupby(["gebiet_id", "year"], as_index=False)["children"].sum()
    observed = (
        children[children["year"].isin(later)]
        .groupby(["gebiet_id", "year"], as_index=False)["count"]
        .sum(min_count=1)
        .rename(columns={"count": "observed"})
    )
    return {
        "base_year": base_year,
        "unit": "Prozent",
        "measure": "Kinder 0–17 je Gebiet",
        "training_years": run,
        "horizons": _horizons(projected, observed, base_year),
        "districts": _districts(projected, observed, base_year),
    }


def backtest_bands(
    population: pd.DataFrame,
    base_year: int,
    params: ProjectionParams | None = None,
    births: pd.DataFrame | None = None,
    band: tuple[int, int] = (0, MAX_AGE),
    *,
    births_up_to_age: int = BIRTHS_UP_TO_AGE,
) -> dict[str, Any]:
    """Backtest on band data: projected vs observed total of the ages ``band`` per area and horizon.

    ``population``: ``gebiet_id, year, age_from, age_to, sex, count``; ``births``: ``gebiet_id,
    year, count`` (optional, only years up to the base year are used, so nothing from the future
    leaks into the estimate). Same JSON keys as :func:`backtest`, plus ``method``.
    """
    lo, hi = band
    if not 0 <= lo <= hi <= MAX_AGE:
        raise ValueError(f"Altersgruppe {lo}–{hi} liegt nicht innerhalb 0–{MAX_AGE}.")
    observed = band_totals(population, lo, hi)
    later = sorted(int(y) for y in observed.loc[observed["year"] > base_year, "year"].unique())
    train_births = births[births["year"] <= base_year] if births is not None else None
    single = split_to_single_ages(
        population[population["year"] <= base_year], train_births, births_up_to_age=births_up_to_age
    )
    years = sorted(int(y) for y in single["year"].unique())
    if base_year not in years:
        raise ValueError(
            f"Basisjahr {base_year}: keine Kinderzahlen 0–{MAX_AGE} (Einzelalter oder Altersgruppen) "
            f"vorhanden (Jahre: {', '.join(map(str, years)) or 'keine'})."
        )
    if not later:
        raise ValueError(
            f"Basisjahr {base_year}: nach dem Basisjahr gibt es keine beobachtete Zahl der "
            f"{lo}–{hi}-Jährigen zum Vergleich."
        )
    run = _check_years(years, base_year, later)
    p = replace(params or ProjectionParams(), years=later[-1] - base_year)
    proj = project(single[single["year"].isin(run)], p)
    projected = (
        proj[proj["age"].between(lo, hi)].groupby(["gebiet_id", "year"], as_index=False)["children"].sum()
    )
    return {
        "base_year": base_year,
        "unit": "Prozent",
        "measure": f"Kinder {lo}–{hi} je Gebiet (Summe der Altersgruppe)",
        "method": method_text(births_up_to_age)
        + (
            ""
            if train_births is not None and not train_births.empty
            else " Ohne Geburtenzahlen: gleichmäßig verteilt."
        ),
        "training_years": run,
        "horizons": _horizons(projected, observed[observed["year"].isin(later)], base_year),
        "districts": _districts(projected, observed[observed["year"].isin(later)], base_year),
    }


def backtest_data(
    data: PlanningData, base_year: int, params: ProjectionParams | None = None
) -> dict[str, Any]:
    """Backtest for the CLI and the app: observed single ages if the base year has them, else bands."""
    children = single_ages(data.population)
    if (children["year"] == base_year).any():
        result = backtest(children, base_year, params)
        order = ["base_year", "unit", "measure", "method", "training_years", "horizons", "districts"]
        return {key: {**result, "method": METHOD_OBSERVED}[key] for key in order}
    births = data.table("geburten")
    return backtest_bands(data.population, base_year, params, births if not births.empty else None)
