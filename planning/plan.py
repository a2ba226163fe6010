"""One chain from births to Ganztag: Kita, primary school and Ganztag demand against capacity.

The same projected children (:mod:`planning.projection`) feed every department's figures, per area
(the lowest level, where people live) and year. A *plan year* ``Y`` is the Kita and school year
starting 1 August ``Y``; children are counted at the Stichtag 31.12.``Y`` (inside that year).

Formulas (parameters in :mod:`planning.parameters`, written ``q…``):

Kita
  ``u3_demand  = (P₀·q_u1 + P₁·q_1 + P₂·q_2) · (1 + puffer)``
  ``ue3_demand = (P₃ + P₄ + P₅ + P₆·anteil_6_in_kita) · q_ue3 · (1 + puffer)``
  Supply per Kita and year: places in operation (``opening_year ≤ Y < closing_year``; a planned
  Kita without opening year and a closed one without closing year never count), split into U3/Ü3
  by its own figures or, where it has only a total, by ``u3_anteil_gemischt``; plus
  Kindertagespflege (latest observed year carried forward) × ``tagespflege_u3_anteil``; plus
  scenario measures (:mod:`planning.plan_supply`). ``kita_gap = places − demand`` (negative: places
  missing).

Primary school (Grundschule, grades 1–4; a pupil's area is where the child lives)
  ``school_entrants(Y) = P₆(Y) · e`` with the Einschulungsquote ``e`` (parameter, or the multi-year
  mean of observed grade-1 pupils ÷ 6-year-olds); grade g in year Y:
  ``pupils_g(Y) = school_entrants(Y − g + 1) · d₁ · … · d_{g−1}`` with the grade-progression ratios
  ``d`` (multi-year means of observed ratios, else 1). Classes per grade
  ``= ceil(pupils_g ÷ klassenobergrenze)``; ``classes_needed`` is their sum over grades 1–4 and
  ``zuege_needed`` the entry classes (grade 1). Capacity: Züge of the primary schools in the area
  (+ measures) × 4 grades = ``classes_available``.

Ganztag (GaFöG)
  Grade g is entitled from school year 2026 + g − 1 (grades 1–4 from 2029/30);
  ``ganztag_demand = Σ_g pupils_g · (q_ganztag if entitled else q_ohne_anspruch)`` against the
  Ganztag places of the area's primary schools (+ measures).

Everything is vectorised over area × year × age (numpy); inputs are never mutated. Places and
capacity come from :mod:`planning.plan_supply`, ranges from :mod:`planning.plan_ranges`; the figures
pages can show are listed in :mod:`planning.plan_figures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from planning.areas import ancestor_map
from planning.backtest import METHOD_OBSERVED, forecast_errors, training_years, upper_levels
from planning.bands import birth_signal, method_text, split_to_single_ages
from planning.parameters import BIRTH_VARIANTS, GAFOEG_FIRST_YEAR

# PLAN_FIGURES is re-exported: ui/planview.py and ui/scenarioview.py import it from here.
from planning.plan_figures import PLAN_FIGURES  # noqa: F401
from planning.plan_ranges import RANGED, add_ranges, classes
from planning.plan_supply import kita_places, school_capacity
from planning.projection import (
    MAX_AGE,
    METHOD_TEXT,
    ProjectionParams,
    ids_at,
    long_children,
    project_arrays,
    single_ages,
)
from planning.repository import PlanningData
from planning.scenarios import BASELINE, Measure, Scenario
from planning.uncertainty import ErrorModel, error_model, with_levels

GRADES = (1, 2, 3, 4)


#: The columns of ``plan --out`` (a contract: scripts build on them, keep them exactly so).
EXPORT_COLUMNS = [
    "area_id",
    "year",
    "u3_demand",
    "u3_places",
    "ue3_demand",
    "ue3_places",
    "kita_gap",
    "school_entrants",
    "classes_needed",
    "classes_available",
    "ganztag_demand",
    "ganztag_places",
]

#: Columns that add up across areas (upper levels and the city are sums of these).
ADDITIVE = [
    "children",
    "births",
    "u3_children",
    "ue3_children",
    "u3_demand",
    "ue3_demand",
    "u3_places",
    "ue3_places",
    "school_entrants",
    *[f"pupils_{g}" for g in GRADES],
    "zuege_available",
    "ganztag_demand",
    "ganztag_places",
]


@dataclass(frozen=True)
class PlanResult:
    """The plan of one scenario: children and the per-area, per-year table (see module doc)."""

    scenario: str
    params: dict[str, Any]
    base_year: int
    years: list[int]
    areas: list[str]
    #: Children [year, area, age] (observed years, then projected; NaN where not observed).
    child_cube: np.ndarray
    table: pd.DataFrame
    derived: dict[str, Any] = field(default_factory=dict)
    #: Past errors of the forecast, for the ranges ("Spanne"); None: no backtest possible.
    errors: ErrorModel | None = None

    @cached_property
    def children(self) -> pd.DataFrame:
        """Long ``gebiet_id, year, age, children, observed`` (built on first use)."""
        df = long_children(self.areas, self.years, self.child_cube)
        return df.assign(observed=df["year"] <= self.base_year)

    @property
    def projected_years(self) -> list[int]:
        return [y for y in self.years if y > self.base_year]

    def export(self, spanne: bool = False) -> pd.DataFrame:
        """The ``plan --out`` table from the base year on, exactly :data:`EXPORT_COLUMNS`; with
        ``spanne`` each value column is followed by ``<col>_low`` and ``<col>_high`` (facts such as
        places have low = high)."""
        t = self.table[self.table["year"] >= self.base_year].rename(columns={"gebiet_id": "area_id"})
        columns = list(EXPORT_COLUMNS)
        if spanne:
            columns = []
            for c in EXPORT_COLUMNS:
                columns.append(c)
                if c in ("area_id", "year"):
                    continue
                if c not in RANGED:
                    t = t.assign(**{f"{c}_low": t[c], f"{c}_high": t[c]})
                columns += [f"{c}_low", f"{c}_high"]
        out = t[columns].sort_values(["area_id", "year"]).reset_index(drop=True)
        return out.round(2)

    def aggregate(self, parent_of: Mapping[str, str] | pd.Series | None = None) -> pd.DataFrame:
        """The table summed to upper areas (``parent_of``: gebiet_id → upper id) or the city (None).

        Kept per mapping: a plan is shared by all sessions and every rerun of a plan page asks for
        the same upper level again. The caller gets its own (copy-on-write) frame.
        """
        key = None if parent_of is None else tuple(parent_of.items())
        cache = self.derived.setdefault("aggregate", {})
        if key not in cache:
            summed = aggregate(self.table, self.params, parent_of)
            ranged = add_ranges(summed, self.errors, self.base_year, self.params, rounded=True)
            # the areas' ranges added (wider than one range of the summed gaps, never netted)
            kept = [c for c in SUMMED_FROM_AREAS if c in summed.columns]
            cache[key] = ranged.assign(**{c: summed[c] for c in kept}) if kept else ranged
        return cache[key].copy(deep=False)


def _finish(t: pd.DataFrame, params: Mapping[str, Any], rounded: bool = True) -> pd.DataFrame:
    """Derived columns from the additive ones (the same code for areas, upper levels and the city).

    ``rounded``: classes and Züge rounded up per grade (where classes are formed), else the computed
    need (fractions of a class, so that small areas add up to the level above).
    """
    size = float(params["klassenobergrenze"])
    pupils = t[[f"pupils_{g}" for g in GRADES]].to_numpy(dtype=float)
    per_grade = classes(pupils, size, rounded)
    out = t.assign(
        kita_demand=t["u3_demand"] + t["ue3_demand"],
        kita_places=t["u3_places"] + t["ue3_places"],
        pupils=pupils.sum(axis=1),
        classes_needed=per_grade.sum(axis=1),  # NaN while a grade's cohort is not known
        classes_available=t["zuege_available"] * len(GRADES),
        zuege_needed=classes(t["school_entrants"].to_numpy(dtype=float), size, rounded),
    )
    u3_gap = out["u3_places"] - out["u3_demand"]
    ue3_gap = out["ue3_places"] - out["ue3_demand"]
    return out.assign(
        u3_gap=u3_gap,
        ue3_gap=ue3_gap,
        kita_gap=out["kita_places"] - out["kita_demand"],
        kita_shortfall=np.minimum(u3_gap, 0) + np.minimum(ue3_gap, 0),
        versorgung_u3=_ratio(out["u3_places"], out["u3_children"]),
        versorgung_ue3=_ratio(out["ue3_places"], out["ue3_children"]),
        class_gap=out["classes_available"] - out["classes_needed"],
        zuege_gap=out["zuege_available"] - out["zuege_needed"],
        ganztag_gap=out["ganztag_places"] - out["ganztag_demand"],
        ganztag_coverage=_ratio(out["ganztag_places"], out["ganztag_demand"]),
    )


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    n, d = num.to_numpy(dtype=float), den.to_numpy(dtype=float)
    return pd.Series(np.divide(n, d, out=np.full(len(n), np.nan), where=d > 0), index=num.index)


#: Figures an upper level or the city gets as the sum of its areas' figures (with their ranges), not
#: recomputed from the summed places and demand, which would net one area's surplus against another's
#: gap (the city "missing 0 Kita places" while its areas miss hundreds).
SUMMED_FROM_AREAS = ("kita_shortfall", "kita_shortfall_low", "kita_shortfall_high")


def aggregate(
    table: pd.DataFrame, params: Mapping[str, Any], parent_of: Mapping[str, str] | pd.Series | None = None
) -> pd.DataFrame:
    """Sum the additive columns per upper area and year, then recompute classes, gaps and quotas.

    Classes are recomputed from the summed pupils per grade: at an upper level children can share
    schools across area borders, so its need is not the sum of each area's rounded-up classes.
    """
    if parent_of is None:
        key: pd.Series = pd.Series("Stadt", index=table.index)
    else:
        # Map the few distinct ids, not every row (Series.map over Arrow strings is slow).
        codes, uniques = pd.factorize(table["gebiet_id"])
        mapping = parent_of if isinstance(parent_of, pd.Series) else pd.Series(dict(parent_of))
        upper = pd.Series(uniques).map(mapping).to_numpy(dtype=object)
        key = pd.Series(upper[codes], index=table.index, dtype="str")
    grouped = (
        table.assign(gebiet_id=key)
        .groupby(["gebiet_id", "year"], as_index=False, sort=True)[["observed", *ADDITIVE]]
        .agg({"observed": "first", **dict.fromkeys(ADDITIVE, "sum")})
    )
    # A grade whose cohort is unknown (first years) stays unknown, it does not become 0; so do Züge and
    # Ganztag places where no school of the upper area reports them (Flensburg, Berlin school lists).
    maybe_unknown = [f"pupils_{g}" for g in GRADES] + [
        "ganztag_demand",
        "zuege_available",
        "ganztag_places",
        "u3_places",
        "ue3_places",
    ]
    keyed = table.assign(gebiet_id=key)
    unknown = keyed.groupby(["gebiet_id", "year"], sort=True)[maybe_unknown].count()
    for col in unknown.columns:
        grouped.loc[unknown[col].to_numpy() == 0, col] = np.nan
    out = _finish(grouped, params)
    # The places missing in the areas, added up: a surplus in one area fills no gap in another.
    summed = [c for c in SUMMED_FROM_AREAS if c in keyed.columns]
    if summed:
        totals = keyed.groupby(["gebiet_id", "year"], sort=True)[summed].sum(min_count=1)
        out = out.assign(**{c: totals[c].to_numpy() for c in summed})
    return out


def _apply_housing_measures(housing: pd.DataFrame, measures: tuple[Measure, ...]) -> pd.DataFrame:
    cols = ["projekt_id", "name", "gebiet_id", "units", "completion_year", "completion_year_end", "status"]
    h = housing[cols].copy() if not housing.empty else pd.DataFrame(columns=cols)
    for m in measures:
        if m.kind == "wohnbau_verschieben":
            hit = h["projekt_id"] == m.projekt_id
            h.loc[hit, "completion_year"] = h.loc[hit, "completion_year"].astype(int) + m.delay
            end = h.loc[hit, "completion_year_end"]
            h.loc[hit, "completion_year_end"] = end.where(end.isna(), pd.to_numeric(end) + m.delay)
        elif m.kind == "wohnbau_neu":
            row = {
                "projekt_id": f"Szenario-{len(h) + 1}",
                "name": m.note or "Wohnbau (Szenario)",
                "gebiet_id": m.gebiet_id,
                "units": m.units,
                "completion_year": m.year,
                "completion_year_end": m.year,
                "status": "geplant",
            }
            h = pd.concat([h, pd.DataFrame([row])], ignore_index=True) if not h.empty else pd.DataFrame([row])
    return h


def _observed_ratios(data: PlanningData, children: pd.DataFrame, window: int) -> dict[str, Any]:
    """Einschulungsquote and grade-progression ratios from observed Grundschule pupils (city level)."""
    e = data.enrollment
    result: dict[str, Any] = {
        "einschulungsquote": None,
        "einschulungsquote_jahre": [],
        "durchgangsquoten": [1.0, 1.0, 1.0],
    }
    if e.empty:
        return result
    e = e[(e["schulart"] == "Grundschule") & e["grade"].between(1, 4)]
    by = e.groupby(["school_year", "grade"])["pupils"].sum(min_count=1).unstack()
    six = children[children["age"] == 6].groupby("year")["count"].sum(min_count=1)
    if 1 in by.columns:
        years = sorted(set(by.index[by[1].notna()]) & set(six.index[six.notna() & (six > 0)]))[-window:]
        if years:
            result["einschulungsquote"] = float(by.loc[years, 1].sum() / six.loc[years].sum())
            result["einschulungsquote_jahre"] = [int(y) for y in years]
    ratios = []
    for g in (1, 2, 3):
        if g in by.columns and g + 1 in by.columns:
            pairs = [
                (y, y + 1)
                for y in by.index
                if y + 1 in by.index
                and pd.notna(by.loc[y, g])
                and pd.notna(by.loc[y + 1, g + 1])
                and by.loc[y, g] > 0
            ][-window:]
            if pairs:
                ratios.append(
                    float(sum(by.loc[b, g + 1] for _, b in pairs) / sum(by.loc[a, g] for a, _ in pairs))
                )
                continue
        ratios.append(1.0)
    result["durchgangsquoten"] = ratios
    return result


def observed_children(data: PlanningData) -> tuple[pd.DataFrame, str]:
    """Children 0–17 by single age for the unbroken run of years up to the latest one, and how
    they were obtained: observed single ages where complete, else split from age bands
    (:mod:`planning.bands`; single ages present in the data are kept as they are)."""
    children, method = single_ages(data.population), METHOD_OBSERVED
    # Complete = every (area, year) present has all 18 single ages (rows are unique per age).
    codes, _ = pd.factorize(children["gebiet_id"])
    pairs = np.unique(codes.astype(np.int64) * 10_000 + children["year"].to_numpy(dtype=np.int64) % 10_000)
    complete = not children.empty and len(children) == len(pairs) * (MAX_AGE + 1)
    if not complete:
        births = data.table("geburten")
        children = split_to_single_ages(data.population, births if not births.empty else None)
        method = method_text()
    present = [int(y) for y in children["year"].unique()]
    run = training_years(present, max(present))
    if len(run) == len(present):  # the usual case: no gap, no copy of millions of rows
        return children, method
    return children[children["year"].isin(run)].reset_index(drop=True), method


def compute_plan(
    data: PlanningData, scenario: Scenario = BASELINE, children: pd.DataFrame | None = None
) -> PlanResult:
    """The whole chain for one scenario. ``children`` (long ``gebiet_id, year, age, count``, ages
    0–17) defaults to :func:`observed_children` of the active population."""
    params = scenario.resolved_params()
    obs, method = observed_children(data) if children is None else (children, METHOD_OBSERVED)
    housing = _apply_housing_measures(data.table("wohnbau"), scenario.measures)
    pp = ProjectionParams(
        years=int(params["prognose_jahre"]),
        window=int(params["stuetzzeitraum"]),
        shrinkage=float(params["schrumpfung"]),
        birth_trend=BIRTH_VARIANTS[params["geburtenvariante"]],
        child_yield=tuple(params["kinder_je_wohnung"]),
    )
    if children is None:
        births = data.table("geburten")
        run = sorted(int(y) for y in obs["year"].unique())
        signal = birth_signal(data.population, births if not births.empty else None, run[-pp.window :])
    else:
        signal = None
    pr = project_arrays(obs, pp, housing if not housing.empty else None, births=signal)
    base_year = pr.observed_years[-1]
    areas = pr.areas
    years = pr.observed_years + pr.future_years
    child_cube = np.concatenate([pr.observed, pr.future], axis=0)  # [year, area, age], NaN = unobserved
    # Unobserved single ages of past years count as 0 (as before); an area without a forecast stays
    # NaN in the forecast years: missing is never shown as zero.
    filled = child_cube.copy()  # [year, area, age]
    filled[: len(pr.observed_years)] = np.nan_to_num(filled[: len(pr.observed_years)])

    def ages(a0: int, a1: int | None = None) -> np.ndarray:
        """Children of age a0 (or the sum a0..a1) as [area, year] (a transposed view, no 3-D copy)."""
        return (filled[..., a0] if a1 is None else filled[..., a0 : a1 + 1].sum(axis=2)).T

    # Kita demand and supply
    buffer = 1 + params["kita_puffer"]
    u3_demand = (
        ages(0) * params["bedarfsquote_u1"]
        + ages(1) * params["bedarfsquote_1"]
        + ages(2) * params["bedarfsquote_2"]
    ) * buffer
    ue3_children = ages(3, 5) + ages(6) * params["anteil_6_in_kita"]
    ue3_demand = ue3_children * params["bedarfsquote_ue3"] * buffer
    u3_places, ue3_places, kitas_without_area = kita_places(data, scenario.measures, areas, years, params)

    # Primary school
    ratios = _observed_ratios(data, obs, int(params["stuetzzeitraum"]))
    quota = params["einschulungsquote"]
    if quota is None:
        quota = ratios["einschulungsquote"] if ratios["einschulungsquote"] is not None else 1.0
    entrants = ages(6) * quota
    pupils = np.full((len(GRADES), len(areas), len(years)), np.nan)
    factor = 1.0
    for gi, _g in enumerate(GRADES):
        if gi:
            factor *= ratios["durchgangsquoten"][gi - 1]
        pupils[gi, :, gi:] = entrants[:, : len(years) - gi] * factor
    zuege, gt_places = school_capacity(data.schools, scenario.measures, areas, years)
    year_arr = np.asarray(years)
    ganztag = np.zeros((len(areas), len(years)))
    for gi, g in enumerate(GRADES):
        entitled = year_arr >= GAFOEG_FIRST_YEAR + g - 1
        q = np.where(entitled, params["ganztag_bedarfsquote"], params["ganztag_quote_ohne_anspruch"])
        ganztag = ganztag + pupils[gi] * q  # NaN while the grade's cohort is unknown

    n = len(areas) * len(years)
    table = pd.DataFrame(
        {
            "gebiet_id": ids_at(areas, np.repeat(np.arange(len(areas)), len(years))),
            "year": np.tile(years, len(areas)),
            "observed": np.tile(year_arr <= base_year, len(areas)),
            "children": ages(0, MAX_AGE).ravel(),
            "births": ages(0).ravel(),
            "u3_children": ages(0, 2).ravel(),
            "ue3_children": ue3_children.ravel(),
            "u3_demand": u3_demand.ravel(),
            "ue3_demand": ue3_demand.ravel(),
            "u3_places": u3_places.ravel(),
            "ue3_places": ue3_places.ravel(),
            "school_entrants": entrants.ravel(),
            **{f"pupils_{g}": pupils[gi].ravel() for gi, g in enumerate(GRADES)},
            "zuege_available": zuege.ravel(),
            "ganztag_demand": ganztag.ravel(),
            "ganztag_places": gt_places.ravel(),
        },
        index=pd.RangeIndex(n),
    )
    table = _finish(table, params, rounded=params["klassen_ebene"] == "Gebiet")
    errors = forecast_error_model(data) if children is None else None
    table = add_ranges(table, errors, base_year, params, rounded=params["klassen_ebene"] == "Gebiet")
    small = table.loc[table["year"] == base_year, ["gebiet_id", "children"]]
    too_small = small.loc[small["children"] <= params["mindestgroesse_prognose"], "gebiet_id"]
    seen = ratios["einschulungsquote_jahre"]
    if params["einschulungsquote"] is not None:
        source = "Parameter"
    elif seen:
        source = f"beobachtet {seen[0]}–{seen[-1]}" if len(seen) > 1 else f"beobachtet {seen[0]}"
    else:
        source = "ohne Schuldaten angenommen"
    derived = {
        "einschulungsquote": float(quota),
        "einschulungsquote_quelle": source,
        "durchgangsquoten": ratios["durchgangsquoten"],
        "kitas_ohne_gebiet": kitas_without_area,
        "kinder_methode": method,
        "prognose_methode": METHOD_TEXT,
        "prognose_warnungen": [p.text for p in pr.problems],
        "ohne_prognose": [p.gebiet_id for p in pr.problems if p.excluded],
        "geburtentrend": pr.birth_trend,
        "zu_klein": sorted(str(g) for g in too_small),
        "spanne_quelle": errors.source if errors is not None else None,
    }
    return PlanResult(
        scenario=scenario.name,
        params=params,
        base_year=base_year,
        years=years,
        areas=areas,
        child_cube=child_cube,
        table=table,
        derived=derived,
        errors=errors,
    )


#: Most areas a plan's error model is backtested on (a regular sample beyond).
ERROR_MODEL_AREAS = 2000


def forecast_error_model(data: PlanningData) -> ErrorModel | None:
    """Past errors of the forecast on this data (all base years), once per loaded data; None where
    the data allow no backtest (a single year)."""

    def compute() -> ErrorModel | None:
        births = data.table("geburten")
        population = data.population
        ids = sorted(population["gebiet_id"].unique())
        if len(ids) > ERROR_MODEL_AREAS:
            # Every k-th area (by id) is plenty for quantiles by size and horizon, and keeps the first
            # plan of a federal state (11,000 areas) from waiting on ten backtests of all of them.
            keep = set(ids[:: -(-len(ids) // ERROR_MODEL_AREAS)])
            population = population[population["gebiet_id"].isin(keep)]
            births = births[births["gebiet_id"].isin(keep)]
        try:
            errors, _ = forecast_errors(
                population, births if not births.empty else None, housing=data.table("wohnbau")
            )
        except ValueError:
            return None
        model = error_model(with_levels(errors, upper_levels(data)))
        return None if model.empty else model

    return data.derived(("forecast_error_model",), compute)


def compare(
    results: list[PlanResult], column: str, parent_of: Mapping[str, str] | None = None, city: bool = False
) -> pd.DataFrame:
    """One column of several scenarios side by side: ``gebiet_id, year, <scenario 1>, <scenario 2>, …``
    (each followed by ``<scenario>_low``/``<scenario>_high`` where the column has a range).

    Per data-level area, per upper area (``parent_of``) or for the whole city (``city``).
    """
    frames = []
    for r in results:
        t = r.aggregate() if city else (r.table if parent_of is None else r.aggregate(parent_of))
        ends = [c for c in (f"{column}_low", f"{column}_high") if c in t]
        names = {column: r.scenario, **{c: r.scenario + c[len(column) :] for c in ends}}
        frames.append(t[["gebiet_id", "year", column, *ends]].rename(columns=names))
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=["gebiet_id", "year"], how="outer")
    return out


def at_level(result: PlanResult, areas: pd.DataFrame, level: int, data_level: int) -> pd.DataFrame:
    """The plan table on an area level of the layout (the data level as is, upper levels summed)."""
    if level >= data_level:
        return result.table
    return result.aggregate(ancestor_map(areas, data_level, level))
