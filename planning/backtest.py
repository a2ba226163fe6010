"""Backtest of the children forecast from every possible base year, beside two naive forecasts.

For each base year *b* the forecast is made with the data up to *b* only (single ages observed, or
estimated from age bands and births up to *b*, :mod:`planning.bands`) and compared with what was
observed later, per area, horizon ``h = year − b`` and age band. Beside the model, on exactly the
same areas and bands, two forecasts a planner could make by hand:

- **carry-forward** ("Fortschreibung ohne Änderung"): the base-year count stays;
- **ageing** ("Alterung ohne Wanderung"): every cohort moves on a year, nobody moves in or out,
  births stay at the base year's age-0 count.

Error of one forecast: ``(forecast − observed) / observed``. MAPE is the mean of its absolute value
over all (base year, area) pairs of a horizon, bias its mean (positive = forecast too high),
city error the mean over base years of the city total's relative error. Bands are observed where the
data allow: a band present as such, single ages, or complementary bands that tile it
(0–5 + 6–14 + 15–17 = 0–17, :func:`planning.population.age_range_count`); never estimated.

Training years: the unbroken run of observed years ending at *b* (a gap such as Flensburg's 2011 →
2017 is never read as one year's transition). A base year whose run is a single year is possible:
the forecast then has no migration information and ages the cohorts only.

The errors feed the forecast ranges (:mod:`planning.uncertainty`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planning.areas import ancestor_map
from planning.bands import birth_signal, method_text, split_to_single_ages
from planning.population import age_range_count
from planning.projection import (
    MAX_AGE,
    METHOD_TEXT,
    ProjectionParams,
    _cube,
    ageing_path,
    project_arrays,
    single_ages,
)
from planning.repository import PlanningData
from planning.uncertainty import SIZE_CLASSES, band_label, holdout_coverage, size_class, summed_to

METHOD_OBSERVED = "Einzelalter beobachtet"

#: Age bands that carry planning decisions; each is evaluated where the data observe it.
PLANNING_BANDS: tuple[tuple[int, int], ...] = ((0, 2), (3, 5), (6, 6), (6, 9), (0, MAX_AGE))

_KEYS = ["gebiet_id", "year"]


def training_years(years: Iterable[int], base_year: int) -> list[int]:
    """The unbroken run of calendar years in ``years`` that ends at ``base_year``."""
    have = {int(y) for y in years}
    if base_year not in have:
        return []
    run = [base_year]
    while run[0] - 1 in have:
        run.insert(0, run[0] - 1)
    return run


def _complete_single_ages(children: pd.DataFrame, year: int) -> bool:
    one = children[children["year"] == year]
    return not one.empty and len(one) == one["gebiet_id"].nunique() * (MAX_AGE + 1)


def training_children(
    population: pd.DataFrame, births: pd.DataFrame | None, base_year: int
) -> tuple[pd.DataFrame, str, list[int]]:
    """Single ages 0–17 known at ``base_year`` (nothing later is used), how they were obtained and
    the training run of years."""
    singles = single_ages(population)
    singles = singles[singles["year"] <= base_year]
    if _complete_single_ages(singles, base_year):
        children, method = singles, METHOD_OBSERVED
    else:
        known = births[births["year"] <= base_year] if births is not None and not births.empty else None
        children = split_to_single_ages(population[population["year"] <= base_year], known)
        method = method_text() + ("" if known is not None else " Ohne Geburtenzahlen: gleichmäßig verteilt.")
    run = training_years(children["year"].unique(), base_year)
    if not run:
        raise ValueError(
            f"Basisjahr {base_year}: keine Kinderzahlen 0–{MAX_AGE} (Einzelalter oder Altersgruppen) "
            "vorhanden."
        )
    return children[children["year"].isin(run)].reset_index(drop=True), method, run


def observable_bands(population: pd.DataFrame) -> list[tuple[int, int]]:
    """Planning bands plus the closed bands inside 0–17 that the data hold as such."""
    pop = population[population["sex"].isna() & population["age_to"].notna()]
    lo = pop["age_from"].to_numpy(dtype=float)
    hi = pop["age_to"].to_numpy(dtype=float)
    inside = (lo >= 0) & (hi <= MAX_AGE) & (hi > lo)
    own = {(int(a), int(b)) for a, b in zip(lo[inside], hi[inside], strict=True)}
    return sorted(set(PLANNING_BANDS) | own, key=lambda b: (b[1] - b[0] != MAX_AGE, b[0], b[1]))


def _observed(population: pd.DataFrame, bands: list[tuple[int, int]]) -> dict[tuple[int, int], pd.Series]:
    out = {}
    for lo, hi in bands:
        counts = age_range_count(population, lo, hi).dropna()
        if not counts.empty:
            out[(lo, hi)] = counts.set_index(_KEYS)["count"].astype(float)
    return out


def base_years(population: pd.DataFrame) -> list[int]:
    """Every year with children counts and at least one later year to compare with."""
    pop = population[population["sex"].isna() & population["age_to"].notna()]
    pop = pop[(pop["age_from"] >= 0) & (pop["age_to"] <= MAX_AGE)]
    years = sorted({int(y) for y in pop["year"].unique()})
    return years[:-1]


def forecast_errors(
    population: pd.DataFrame,
    births: pd.DataFrame | None = None,
    base_year: int | None = None,
    params: ProjectionParams | None = None,
    housing: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per base year, horizon, band and area: ``base_year, horizon, year, lo, hi, gebiet_id,
    size, observed, model, carry_forward, ageing``; plus facts (methods, training runs, warnings).

    ``base_year`` None: every possible base year. ``housing``: the housing projects as the forecast
    uses them (units completing after the base year are added, as in :func:`planning.plan.compute_plan`;
    their completion years as known today). Raises German ``ValueError`` when nothing can be compared.
    """
    candidates = base_years(population)
    if base_year is not None:
        if base_year not in candidates:
            have = ", ".join(map(str, candidates)) or "keine"
            raise ValueError(
                f"Basisjahr {base_year} braucht beobachtete Kinderzahlen im Basisjahr und danach "
                f"(mögliche Basisjahre: {have})."
            )
        candidates = [base_year]
    if not candidates:
        raise ValueError("Für eine Rückrechnung braucht es Kinderzahlen aus mindestens zwei Jahren.")
    observed = _observed(population, observable_bands(population))
    frames: list[pd.DataFrame] = []
    facts: dict[str, Any] = {"methods": {}, "training_years": {}, "warnings": []}
    for b in candidates:
        try:
            children, method, run = training_children(population, births, b)
        except ValueError as exc:
            facts["warnings"].append(str(exc))
            continue
        later = sorted({int(y) for s in observed.values() for y in s.index.get_level_values("year") if y > b})
        if not later:
            continue
        horizon = later[-1] - b
        p = replace(params or ProjectionParams(), years=horizon)
        known = births[births["year"] <= b] if births is not None and not births.empty else None
        signal = birth_signal(population[population["year"] <= b], known, run[-p.window :])
        pr = project_arrays(
            children, p, housing if housing is not None and not housing.empty else None, signal
        )
        raw, areas, _ = _cube(children)
        base = np.nan_to_num(raw[-1])
        ageing = ageing_path(
            base, np.ones((len(areas), MAX_AGE)), np.repeat(base[None, :, 0], horizon, axis=0)
        )
        size = pd.Series(np.nansum(raw[-1], axis=1), index=areas)
        size[np.isnan(raw[-1]).all(axis=1)] = np.nan
        facts["methods"][b] = method
        facts["training_years"][b] = run
        for problem in pr.problems:
            if problem.kind != "ohne_daten":
                facts["warnings"].append(f"Basisjahr {b}: {problem.text}")
        index = pd.Index(areas)
        for (lo, hi), obs in observed.items():
            at_base = obs.xs(b, level="year") if b in obs.index.get_level_values("year") else None
            if at_base is None:
                continue
            for y in later:
                if y not in obs.index.get_level_values("year"):
                    continue
                h = y - b
                truth = obs.xs(y, level="year")
                common = truth.index.intersection(at_base.index).intersection(index)
                if common.empty:
                    continue
                pos = index.get_indexer(common)
                model = pr.future[h - 1, pos, lo : hi + 1].sum(axis=1)
                model[np.isnan(pr.future[h - 1, pos, lo : hi + 1]).any(axis=1)] = np.nan
                frames.append(
                    pd.DataFrame(
                        {
                            "base_year": b,
                            "horizon": h,
                            "year": y,
                            "lo": lo,
                            "hi": hi,
                            "gebiet_id": np.asarray(common, dtype=object),
                            "size": size.to_numpy()[pos],
                            "observed": truth.reindex(common).to_numpy(),
                            "model": model,
                            "carry_forward": at_base.reindex(common).to_numpy(),
                            "ageing": ageing[h - 1, pos, lo : hi + 1].sum(axis=1),
                        }
                    )
                )
    if not frames:
        raise ValueError(
            "Keine Rückrechnung möglich: nach keinem Basisjahr gibt es beobachtete Kinderzahlen derselben "
            "Altersgruppen zum Vergleich."
        )
    errors = pd.concat(frames, ignore_index=True)
    usable = (errors["observed"] > 0) & errors["model"].notna() & errors["carry_forward"].notna()
    return errors[usable].reset_index(drop=True), facts


def _rel(forecast: pd.Series, observed: pd.Series) -> pd.Series:
    return (forecast - observed) / observed


def horizon_table(errors: pd.DataFrame) -> list[dict[str, Any]]:
    """Per horizon: model MAPE, bias and city error beside the two baselines, on the same pairs."""
    out = []
    for h, grp in errors.groupby("horizon", sort=True):
        rel = _rel(grp["model"], grp["observed"])
        city = grp.groupby("base_year")[["model", "observed", "carry_forward", "ageing"]].sum()
        entry: dict[str, Any] = {
            "horizon": int(h),
            "mape": round(float(rel.abs().mean() * 100), 2),
            "bias": round(float(rel.mean() * 100), 2),
            "city_error": round(
                float(((city["model"] - city["observed"]) / city["observed"]).mean() * 100), 2
            ),
            "areas": len(grp),
        }
        for name in ("carry_forward", "ageing"):
            r = _rel(grp[name], grp["observed"])
            entry[f"mape_{name}"] = round(float(r.abs().mean() * 100), 2)
            entry[f"bias_{name}"] = round(float(r.mean() * 100), 2)
            entry[f"city_error_{name}"] = round(
                float(((city[name] - city["observed"]) / city["observed"]).mean() * 100), 2
            )
        years = sorted(int(y) for y in grp["year"].unique())
        entry["base_years"] = sorted(int(y) for y in grp["base_year"].unique())
        if len(years) == 1:
            entry["year"] = years[0]
        if "covered" in grp:
            entry["coverage"] = round(float(grp["covered"].mean() * 100), 1)
        out.append(entry)
    return out


def summarise(
    errors: pd.DataFrame,
    facts: Mapping[str, Any],
    levels: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The JSON-ready result of ``backtest --json`` (contract: see the CLI help and README)."""
    errors = holdout_coverage(errors)
    total = errors[(errors["lo"] == 0) & (errors["hi"] == MAX_AGE)]
    bases = sorted(int(b) for b in errors["base_year"].unique())
    methods = sorted(set(facts["methods"].values()))
    result: dict[str, Any] = {
        "base_year": bases[0] if len(bases) == 1 else None,
        "base_years": bases,
        "unit": "Prozent",
        "measure": f"Kinder 0–{MAX_AGE} je Gebiet",
        "method": " / ".join(methods),
        "model": METHOD_TEXT,
        "baselines": {
            "carry_forward": "Fortschreibung ohne Änderung: die Zahl des Basisjahrs bleibt.",
            "ageing": "Alterung ohne Wanderung: Jahrgänge rücken weiter, Geburten wie im Basisjahr.",
        },
        "training_years": {str(b): facts["training_years"][b] for b in bases},
        "horizons": horizon_table(total) if not total.empty else [],
        "bands": [
            {"band": band_label(lo, hi), "lo": int(lo), "hi": int(hi), "horizons": horizon_table(grp)}
            for (lo, hi), grp in errors.groupby(["lo", "hi"], sort=True)
        ],
        "size_classes": [
            {"size_class": label, "horizons": horizon_table(grp)}
            for _, label in SIZE_CLASSES
            if not (grp := total[size_class(total["size"]) == label]).empty
        ],
        "levels": [
            {"level": name, "horizons": horizon_table(summed_to(total, mapping))}
            for name, mapping in (levels or {}).items()
            if mapping
        ],
        "coverage": {
            "nominal": 80,
            "observed": round(float(errors["covered"].mean() * 100), 1)
            if errors["covered"].notna().any()
            else None,
            "pairs": int(errors["covered"].notna().sum()),
        },
        "warnings": list(dict.fromkeys(facts["warnings"])),
    }
    result["districts"] = [
        {
            "base_year": int(r.base_year),
            "gebiet_id": str(r.gebiet_id),
            "horizon": int(r.horizon),
            "year": int(r.year),
            "projected": round(float(r.model), 1),
            "observed": round(float(r.observed)),
            "error": round(float((r.model - r.observed) / r.observed * 100), 2),
        }
        for r in total.sort_values(["base_year", "year", "gebiet_id"]).itertuples()
    ]
    return result


def upper_levels(data: PlanningData) -> dict[str, dict[str, str]]:
    """Upper level name → (data-level area → its area on that level)."""
    names = list(data.layout.levels)
    data_level = data.data_level
    if data.areas.empty or "parent_gebiet_id" not in data.areas.columns:
        return {}
    return {
        names[level]: ancestor_map(data.areas, data_level, level)
        for level in range(data_level)
        if level < len(names)
    }


def backtest_data(
    data: PlanningData, base_year: int | None = None, params: ProjectionParams | None = None
) -> dict[str, Any]:
    """Backtest for the CLI and the app (every possible base year when ``base_year`` is None)."""
    births = data.table("geburten")
    errors, facts = forecast_errors(
        data.population, births if not births.empty else None, base_year, params, data.table("wohnbau")
    )
    return summarise(errors, facts, upper_levels(data))
