"""Single ages 0–17 estimated from age bands (e.g. 0–17, 0–6, 0–2), for data without single ages.

Some municipalities publish children per area only as bands: Flensburg has the under-18 series
(0–17) per Stadtteil for 2011 and 2017–2021 and, for 2021 only, the 0–6 band. The cohort
projection (:mod:`planning.projection`) needs single ages, so this module spreads every band over
its ages by an explicit, documented rule. The result is an *estimate*; every figure built on it
must say so (see :data:`METHOD`).

Input: the population table ``gebiet_id, year, age_from, age_to, sex, count`` (``age_to``
inclusive). Used are the rows for all sexes (``sex`` empty) whose band lies inside 0–17
(``0 ≤ age_from ≤ age_to ≤ 17``); open bands (``age_to`` empty, e.g. "6+" or the total) and
bands reaching beyond 17 are ignored. A single age is the band ``a–a``.

Rule, per area *d* and year *y* (bands of one area and year must be nested or disjoint):

1. **Finest band per age.** Each age *a* belongs to the narrowest band *b* that contains it.
   Ages covered by no band are not in the result.
2. **Residual of a band.** ``R(b) = N(b) − Σ N(c)`` over the bands *c* directly inside *b* (the
   ones whose narrowest enclosing band is *b*); ``N`` is the band total. The ages that belong to
   *b* (step 1) share ``R(b)``. A band whose ages all belong to finer bands is ignored (finer data
   win); a negative residual with ages left to fill is a contradiction and raises ``ValueError``.
3. **Weights from births.** Children aged *a* at the end of year *y* were born in year ``y − a``,
   so the births of that year in the area are the natural size of the cohort:
   ``w(a) = B(d, y − a)`` if those births are known and ``a ≤ births_up_to_age``; otherwise
   ``w(a) = B̄(d, y)``, the mean of the area's births in the six years up to *y*
   (:data:`RECENT_BIRTH_YEARS`, a cohort of average size today; births from long before, such as
   Flensburg's 2011 ahead of a six-year gap, would set how many 17-year-olds leave from another
   state of the area); for an area without births in those years ``w(a) = 1``. Without births
   this is the **uniform split** within the band.
4. **Scaling.** ``n(a) = R(b) · w(a) / Σ w(a')`` over the ages *a'* that belong to *b*, so the band
   total is met exactly (if all those weights are 0 the residual is spread evenly over them).

Consequences: every band sums back to its total (for consistent, nested input), no estimate is
negative, and single ages already present (bands of width 1) come back unchanged. Migration
after birth is not modelled by the weights; it only enters through the scaling to the band total.

Pure and vectorised (pandas/numpy); inputs are never mutated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.formatting import number
from planning.population import age_range_count
from planning.projection import MAX_AGE, BirthSignal

#: Ages up to which births of year ``y − a`` are used as cohort sizes (Kita ages 0–5): older
#: children have moved in and out too often for the births in the area to describe them.
BIRTHS_UP_TO_AGE = 5

#: Birth years (up to the band's year) whose mean births stand for a cohort of unknown size: the
#: recent ones, the Kita ages. Births from long before (Flensburg: 2011 before a six-year gap)
#: describe another state of the area and, read as cohort sizes, set how many leave at 17.
RECENT_BIRTH_YEARS = BIRTHS_UP_TO_AGE + 1

#: How the single ages were obtained; shown next to every figure that rests on the estimate.
METHOD = (
    "Einzelalter aus Bändern geschätzt: je Gebiet und Jahr wird jede Altersgruppe auf ihre Jahrgänge "
    "verteilt – Alter a (bis {up_to}) im Verhältnis der Geburten des Jahres y−a im Gebiet, sonst "
    "gleichmäßig (mittlere Geburtenzahl des Gebiets der letzten sechs Jahre, ohne Geburten "
    "gleichverteilt); auf die "
    "Summe der Altersgruppe skaliert, feinere Gruppen (z. B. 0–6 in 0–17) gehen vor."
)

_KEYS = ["gebiet_id", "year"]


def method_text(births_up_to_age: int = BIRTHS_UP_TO_AGE) -> str:
    """:data:`METHOD` with the age limit filled in."""
    return METHOD.format(up_to=births_up_to_age)


def _band_rows(population: pd.DataFrame) -> pd.DataFrame:
    """Closed bands inside 0–17 for all sexes: ``gebiet_id, year, lo, hi, total``."""
    missing = {"gebiet_id", "year", "age_from", "age_to", "count"} - set(population.columns)
    if missing:
        raise ValueError(f"Bevölkerungstabelle ohne Spalte(n): {', '.join(sorted(missing))}")
    pop = population
    if "sex" in pop.columns:
        pop = pop[pop["sex"].isna()]
    pop = pop[pop["age_from"].notna() & pop["age_to"].notna() & pop["count"].notna()]
    lo = pop["age_from"].astype("int64").to_numpy()
    hi = pop["age_to"].astype("int64").to_numpy()
    inside = (lo >= 0) & (lo <= hi) & (hi <= MAX_AGE)
    bands = pd.DataFrame(
        {
            "gebiet_id": pop["gebiet_id"].to_numpy()[inside],
            "year": pop["year"].astype("int64").to_numpy()[inside],
            "lo": lo[inside],
            "hi": hi[inside],
            "total": pop["count"].astype("float64").to_numpy()[inside],
        }
    )
    if bands.empty:
        raise ValueError(
            "Keine Kinderzahlen 0–17 in den Bevölkerungsdaten (weder Einzelalter noch geschlossene "
            "Altersgruppen wie 0–17 oder 0–6, für alle Geschlechter): Einzelalter lassen sich nicht "
            "schätzen."
        )
    if (bands["total"] < 0).any():
        r = bands[bands["total"] < 0].iloc[0]
        raise ValueError(
            f"Negative Kinderzahl für Gebiet {r['gebiet_id']}, {r['year']}, Alter {r['lo']}–{r['hi']}."
        )
    bands = bands.drop_duplicates()
    clash = bands.duplicated(["gebiet_id", "year", "lo", "hi"], keep=False)
    if clash.any():
        r = bands[clash].iloc[0]
        raise ValueError(
            f"Gebiet {r['gebiet_id']}, {r['year']}: die Altersgruppe {r['lo']}–{r['hi']} steht mehrfach mit "
            "verschiedenen Zahlen in den Daten."
        )
    return bands.reset_index(drop=True)


def _births_table(births: pd.DataFrame) -> pd.DataFrame:
    missing = {"gebiet_id", "year", "count"} - set(births.columns)
    if missing:
        raise ValueError(f"Geburtentabelle ohne Spalte(n): {', '.join(sorted(missing))}")
    b = births[births["count"].notna()]
    b = pd.DataFrame(
        {
            "gebiet_id": b["gebiet_id"].to_numpy(),
            "year": b["year"].astype("int64").to_numpy(),
            "births": b["count"].astype("float64").to_numpy(),
        }
    )
    if (b["births"] < 0).any():
        r = b[b["births"] < 0].iloc[0]
        raise ValueError(f"Negative Geburtenzahl für Gebiet {r['gebiet_id']}, {r['year']}.")
    return b.groupby(_KEYS, as_index=False)["births"].sum()


def _mean_births(owner: pd.DataFrame, births: pd.DataFrame) -> np.ndarray:
    """B̄(d, y) for every row of ``owner`` (``gebiet_id, year``): the area's mean births of the years
    ``y − RECENT_BIRTH_YEARS + 1 … y`` (NaN where it has none there: the split is then even)."""
    keys = owner[_KEYS].drop_duplicates()
    pairs = keys.merge(births.rename(columns={"year": "birth_year"}), on="gebiet_id")
    recent = pairs[
        (pairs["birth_year"] <= pairs["year"]) & (pairs["birth_year"] > pairs["year"] - RECENT_BIRTH_YEARS)
    ]
    by_year = recent.groupby(_KEYS)["births"].mean()
    return by_year.reindex(pd.MultiIndex.from_frame(owner[_KEYS])).to_numpy(dtype=float)


def split_to_single_ages(
    population: pd.DataFrame,
    births: pd.DataFrame | None = None,
    *,
    births_up_to_age: int = BIRTHS_UP_TO_AGE,
) -> pd.DataFrame:
    """Single ages 0–17 from the bands of ``population`` by the rule in the module docstring.

    ``births``: optional ``gebiet_id, year, count`` (births per area and calendar year). Returns
    ``gebiet_id, year, age, count`` (``count`` as float, estimates are fractional), sorted; only
    ages covered by some band appear. Raises ``ValueError`` (German) when there is nothing to
    split or the bands contradict each other.
    """
    if not 0 <= births_up_to_age <= MAX_AGE:
        raise ValueError(f"births_up_to_age muss zwischen 0 und {MAX_AGE} liegen.")
    bands = _band_rows(population)
    bands["band"] = np.arange(len(bands))
    bands["width"] = bands["hi"] - bands["lo"] + 1

    # Nesting: pairs of distinct bands of the same area and year.
    pairs = bands.merge(bands, on=_KEYS, suffixes=("", "_in"))
    pairs = pairs[pairs["band"] != pairs["band_in"]]
    overlap = (pairs["lo"] <= pairs["hi_in"]) & (pairs["lo_in"] <= pairs["hi"])
    contains = (pairs["lo"] <= pairs["lo_in"]) & (pairs["hi_in"] <= pairs["hi"])
    contained = (pairs["lo_in"] <= pairs["lo"]) & (pairs["hi"] <= pairs["hi_in"])
    crossing = pairs[overlap & ~contains & ~contained]
    if not crossing.empty:
        r = crossing.iloc[0]
        raise ValueError(
            f"Gebiet {r['gebiet_id']}, {r['year']}: die Altersgruppen {r['lo']}–{r['hi']} und "
            f"{r['lo_in']}–{r['hi_in']} überschneiden sich, ohne ineinander zu liegen – die Aufteilung "
            "auf Einzelalter wäre nicht eindeutig."
        )
    # Direct parent of each inner band = the narrowest band containing it; residual R(b).
    parents = pairs[contains].sort_values("width", kind="stable").drop_duplicates("band_in")
    inner_sum = parents.groupby("band")["total_in"].sum()
    residual = bands["total"] - bands["band"].map(inner_sum).fillna(0.0)

    # Each age → its narrowest band.
    ages = bands.loc[bands.index.repeat(bands["width"])]
    ages = ages.assign(age=ages["lo"] + ages.groupby(level=0).cumcount())
    owner = ages.sort_values("width", kind="stable").drop_duplicates([*_KEYS, "age"])
    owner = owner[[*_KEYS, "age", "band"]].reset_index(drop=True)

    filled = owner["band"].unique()
    short = (residual < -1e-9 * np.maximum(bands["total"], 1.0)) & bands["band"].isin(filled)
    if short.any():
        r = bands[short].iloc[0]
        raise ValueError(
            f"Gebiet {r['gebiet_id']}, {r['year']}: die Altersgruppe {r['lo']}–{r['hi']} "
            f"({number(r['total'])}) ist kleiner als die Summe der in ihr enthaltenen Gruppen – die "
            "Zahlen widersprechen sich."
        )

    # Weights w(a): births of year y − a for the youngest ages, else the area's mean births, else 1.
    weight = np.ones(len(owner))
    if births is not None and not births.empty:
        b = _births_table(births)
        if not b.empty:
            mean = _mean_births(owner, b)
            cohort = owner[["gebiet_id"]].assign(year=owner["year"] - owner["age"])
            known = cohort.merge(b, on=_KEYS, how="left")["births"].to_numpy()
            young = owner["age"].to_numpy() <= births_up_to_age
            weight = np.where(young & ~np.isnan(known), known, mean)
            weight = np.where(np.isnan(weight), 1.0, weight)
    owner = owner.assign(w=weight)
    w_sum = owner.groupby("band")["w"].transform("sum").to_numpy()
    n_ages = owner.groupby("band")["w"].transform("size").to_numpy()
    share = np.divide(weight, w_sum, out=1.0 / n_ages, where=w_sum > 0)
    r_band = np.maximum(owner["band"].map(residual).to_numpy(dtype=float), 0.0)
    out = pd.DataFrame(
        {
            "gebiet_id": owner["gebiet_id"].to_numpy(),
            "year": owner["year"].astype("int64").to_numpy(),
            "age": owner["age"].astype("int64").to_numpy(),
            "count": r_band * share,
        }
    )
    return out.sort_values([*_KEYS, "age"], kind="stable").reset_index(drop=True)


def band_totals(population: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Observed total of the ages ``lo…hi`` per area and year: ``gebiet_id, year, observed``.

    The exact band row ``lo–hi`` (all sexes) where there is one, else the sum of the single ages
    ``lo…hi`` where all of them are present.
    """
    pop = population[population["sex"].isna()] if "sex" in population.columns else population
    pop = pop[pop["count"].notna() & pop["age_to"].notna()]
    exact = pop[(pop["age_from"] == lo) & (pop["age_to"] == hi)]
    exact = pd.DataFrame(
        {
            "gebiet_id": exact["gebiet_id"].to_numpy(),
            "year": exact["year"].astype("int64").to_numpy(),
            "observed": exact["count"].astype("float64").to_numpy(),
        }
    ).drop_duplicates(_KEYS)
    singles = pop[(pop["age_from"] == pop["age_to"]) & pop["age_from"].between(lo, hi)]
    summed = (
        singles.assign(year=singles["year"].astype("int64"), count=singles["count"].astype("float64"))
        .drop_duplicates([*_KEYS, "age_from"])
        .groupby(_KEYS, as_index=False)
        .agg(observed=("count", "sum"), n=("count", "size"))
    )
    summed = summed.loc[summed["n"] == hi - lo + 1, [*_KEYS, "observed"]]
    merged = pd.concat([exact, summed], ignore_index=True).drop_duplicates(_KEYS)
    return merged.sort_values(_KEYS, kind="stable").reset_index(drop=True)


def birth_signal(population: pd.DataFrame, births: pd.DataFrame | None, years: list[int]) -> BirthSignal:
    """The series behind the birth trend over ``years`` (see :class:`planning.projection.BirthSignal`):
    the births table where it covers every year, else (where the base year counts age 0 as such but
    earlier years do not) the narrowest band from age 0 that the data count alike in every year;
    else none, and the age-0 counts are used."""
    if not years:
        return BirthSignal()
    pop = population[population["sex"].isna()] if "sex" in population.columns else population
    zero = pop[(pop["age_from"] == 0) & (pop["age_to"] == 0) & pop["count"].notna()]
    level_from_base = (zero["year"] == years[-1]).any() and zero["year"].isin(years[:-1]).sum() == 0
    if births is not None and not births.empty:
        b = births[births["year"].isin(years) & births["count"].notna()]
        seen = b.groupby("gebiet_id")["year"].nunique()
        full = seen.index[seen == len(years)]
        if len(full):
            counted = b[b["gebiet_id"].isin(full)]
            series = counted.groupby("year")["count"].sum().reindex(years)
            by_area: tuple[tuple[str, float], ...] = ()
            if not zero["year"].isin(years).any():  # age 0 only estimated in the window: births set its level
                means = counted.groupby("gebiet_id")["count"].sum() / len(years)
                by_area = tuple((str(g), float(v)) for g, v in means.items())
            return BirthSignal(tuple(float(v) for v in series), bool(level_from_base), by_area)
    if not level_from_base:
        return BirthSignal()
    window = pop[pop["year"].isin(years)]
    uppers = window.loc[(window["age_from"] == 0) & window["age_to"].notna(), "age_to"]
    for hi in sorted({int(h) for h in uppers.unique() if 0 < h <= MAX_AGE}):
        counts = age_range_count(window, 0, hi).dropna()
        seen = counts.groupby("gebiet_id")["year"].nunique()
        full = seen.index[seen == len(years)]
        if len(full):
            series = counts[counts["gebiet_id"].isin(full)].groupby("year")["count"].sum().reindex(years)
            return BirthSignal(tuple(float(v) for v in series), True)
    return BirthSignal(None, True)
