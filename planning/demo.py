"""The demo municipality "Weidenstadt": a complete fictional city written into the database.

Why: planners and developers can try every screen without real data, and tests get golden
figures that catch regressions. Everything is deterministic for a seed (numpy ``default_rng``);
only ``DatasetVersion.imported_at`` carries the current time.

The city tells planning stories on purpose: inner-city areas with few children and many young
adults, Gründerzeit quarters where young families raise child numbers, three Großwohnsiedlungen
that empty and age, suburbs whose school-age cohorts shrink, and the new-build area Sonnenhang
(from 2019) whose child boom outruns its Kitas. The figures hang together: children come from a
cohort-component model (births → age 0, ageing with type-specific net migration and housing
inflows), Kita places and pupils are derived from those children, and the indicators use them as
denominators. Geometry comes from :mod:`geodata.synthetic`.

``generate_demo`` builds all tables as frames (no database); ``build_demo`` writes them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, insert

from geodata.synthetic import generate_city, random_points_in
from planning.db import session_scope
from planning.models import (
    Area,
    AreaLayout,
    Birth,
    DatasetVersion,
    Enrollment,
    HousingDevelopment,
    IndicatorValue,
    Kindertagespflege,
    Kita,
    Population,
    School,
)

YEARS = tuple(range(2015, 2026))
MAX_AGE = 100  # the last single age stands for 100+
SOURCE = "Demo-Kommune Weidenstadt (synthetisch erzeugt, planungsatlas demo)"
LICENCE = "CC0 1.0"
TARGET_POPULATION = (119_500, 122_500)  # city total in the latest year, drawn per seed

#: Age groups of the type profiles: 0–5, 6–17, 18–24, 25–29, 30–44, 45–64, 65+.
AGE_GROUP_STARTS = (0, 6, 18, 25, 30, 45, 65)
#: Relative single-year counts of a German city around 2015 (baby boomers at 45–55).
BASE_PYRAMID = {0: 0.88, 3: 0.86, 6: 0.84, 10: 0.86, 14: 0.92, 17: 0.98, 20: 1.08, 25: 1.22, 30: 1.2,
                35: 1.13, 40: 1.1, 45: 1.45, 50: 1.7, 55: 1.55, 60: 1.3, 65: 1.12, 70: 0.98, 75: 1.1,
                78: 0.95, 80: 0.7, 85: 0.45, 90: 0.17, 95: 0.05, 100: 0.01}  # fmt: skip
#: Total fertility rate per year (German pattern: high 2016–2021, falling from 2022).
TFR = dict(zip(YEARS, (1.50, 1.59, 1.57, 1.57, 1.54, 1.53, 1.58, 1.46, 1.36, 1.35, 1.33), strict=True))
#: City-wide net in-migration of 18–34-year-olds per year (studies, jobs; refugees 2016 and 2022).
YOUNG_ADULT_INFLOW = dict(
    zip(YEARS, (0.0, 0.025, 0.015, 0.012, 0.012, 0.008, 0.01, 0.022, 0.014, 0.012, 0.012), strict=True)
)


@dataclass(frozen=True)
class TypeProfile:
    """Demographic and social behaviour of a settlement type (``geodata.synthetic.AREA_NAMES`` keys).

    ``shape`` multiplies the base pyramid per age group in 2015; ``migration`` is the annual net
    migration rate per age group; ``social`` runs from 0 (affluent) to 1 (deprived). ``kita_ue3``
    and ``kita_u3`` set the area's Kita supply relative to its children before city calibration.
    """

    pop_2015: tuple[int, int]
    shape: tuple[float, ...]
    fertility: float
    migration: tuple[float, ...]
    social: float
    social_trend: float = 0.0  # change of ``social`` per year
    kita_ue3: float = 1.0
    kita_u3: float = 0.34


PROFILES: dict[str, TypeProfile] = {
    "innenstadt": TypeProfile(
        pop_2015=(2800, 4200),
        shape=(0.5, 0.5, 1.7, 1.9, 1.15, 0.85, 0.75),
        fertility=0.6,
        migration=(-0.09, -0.04, 0.09, 0.04, -0.035, -0.005, -0.01),
        social=0.45,
        kita_ue3=1.35,  # Kitas near workplaces: oversupplied
        kita_u3=0.5,
    ),
    "gruenderzeit": TypeProfile(
        pop_2015=(4200, 6000),
        shape=(1.15, 0.95, 1.2, 1.5, 1.35, 0.85, 0.65),
        fertility=1.12,
        migration=(0.01, 0.0, 0.03, 0.03, 0.01, -0.005, -0.015),
        social=0.3,
        social_trend=-0.01,
        kita_ue3=0.95,
        kita_u3=0.36,
    ),
    "gemischt": TypeProfile(
        pop_2015=(3200, 5000),
        shape=(1.0,) * 7,
        fertility=1.0,
        migration=(0.0, -0.005, 0.01, 0.01, 0.0, -0.003, -0.005),
        social=0.45,
    ),
    "grosswohnsiedlung": TypeProfile(
        pop_2015=(5600, 7400),
        shape=(1.15, 1.25, 1.0, 0.9, 0.9, 1.0, 1.25),
        fertility=1.2,
        migration=(-0.03, -0.035, -0.01, -0.02, -0.03, -0.012, 0.0),
        social=0.88,
        social_trend=0.012,
        kita_ue3=1.08,
        kita_u3=0.3,
    ),
    "suburban": TypeProfile(
        pop_2015=(2600, 4200),
        shape=(0.75, 1.25, 0.75, 0.55, 0.85, 1.3, 1.2),
        fertility=0.95,
        migration=(0.005, -0.008, -0.08, -0.03, 0.005, 0.0, -0.002),
        social=0.1,
        kita_ue3=0.92,
    ),
    "neubau": TypeProfile(  # a hamlet until the Sonnenhang development starts in 2019
        pop_2015=(110, 140),
        shape=(0.6, 0.8, 0.8, 0.6, 0.8, 1.3, 1.3),
        fertility=1.35,
        migration=(0.0,) * 7,
        social=0.12,
        kita_ue3=0.42,  # Kitas lag behind the move-ins
        kita_u3=0.3,
    ),
    "hafen": TypeProfile(
        pop_2015=(250, 330),
        shape=(0.5, 0.6, 1.3, 1.4, 1.1, 1.1, 0.8),
        fertility=0.9,
        migration=(0.0, 0.0, 0.02, 0.0, 0.0, 0.0, 0.0),
        social=0.7,
        kita_u3=0.3,
    ),
    "gewerbe": TypeProfile(
        pop_2015=(190, 260),
        shape=(0.6, 0.8, 1.0, 1.0, 1.0, 1.2, 1.0),
        fertility=0.9,
        migration=(0.0,) * 7,
        social=0.6,
        kita_ue3=0.0,
        kita_u3=0.0,
    ),
    "wald": TypeProfile(
        pop_2015=(160, 220),
        shape=(0.5, 0.7, 0.6, 0.6, 0.8, 1.3, 1.6),
        fertility=0.8,
        migration=(-0.01, -0.01, -0.02, 0.0, 0.0, 0.0, 0.0),
        social=0.3,
        kita_ue3=0.0,
        kita_u3=0.0,
    ),
}


@dataclass(frozen=True)
class HousingPlan:
    """A housing development: its area (rule "type", "first:type" or "north:type"), size and years.

    ``per_year`` lists completed units per year (None: spread evenly); families bring children,
    infill (``family=False``) mostly young adults.
    """

    projekt_id: str
    name: str  # "{area}" is replaced by the area's name
    area_rule: str
    units: int
    years: tuple[int, int]
    status: str
    per_year: tuple[int, ...] | None = None
    family: bool = True


HOUSING: tuple[HousingPlan, ...] = (
    HousingPlan("W01", "Neubaugebiet Sonnenhang", "neubau", 900, (2019, 2026), "im Bau",
                per_year=(60, 120, 140, 140, 130, 120, 110, 80)),
    HousingPlan("W02", "Wohnpark {area}", "first:gemischt", 240, (2016, 2018), "fertig"),
    HousingPlan("W03", "Wohngebiet {area}-Nord", "north:suburban", 450, (2027, 2029), "geplant"),
    HousingPlan("W04", "Nachverdichtung {area}", "first:gruenderzeit", 60, (2023, 2024), "fertig",
                family=False),
)  # fmt: skip


@dataclass(frozen=True)
class PopulationModel:
    """Simulated residents ``ages[area, year, age]`` (integers; age 100 = 100+) and ``births[area, year]``."""

    ages: np.ndarray
    births: np.ndarray

    def band(self, a0: int, a1: int) -> np.ndarray:
        """Residents aged ``a0``..``a1`` (inclusive) per area and year."""
        return self.ages[:, :, a0 : a1 + 1].sum(axis=2)


def _newcomers(family: bool) -> np.ndarray:
    """Persons per completed housing unit by single age (family homes 2.7, infill 1.9)."""
    out = np.zeros(MAX_AGE + 1)
    if family:
        out[27:43] = 1.9 / 16
        kids = np.arange(11, 0, -1, dtype=float)  # more toddlers than ten-year-olds
        out[:11] = 0.75 * kids / kids.sum()
        out[55:71] = 0.05 / 16
    else:
        out[24:41] = 1.6 / 17
        out[:7] = 0.3 / 7
    return out


def housing_area(plan: HousingPlan, areas: pd.DataFrame) -> int:
    """Row position in ``areas`` (Planungsräume with ``typ``, ``cy``) of a development's area."""
    how, _, typ = plan.area_rule.rpartition(":")
    candidates = np.flatnonzero(areas["typ"].to_numpy() == typ)
    if how == "north":
        return int(candidates[np.argmax(areas["cy"].to_numpy()[candidates])])
    return int(candidates[0])


def simulate_population(areas: pd.DataFrame, rng: np.random.Generator) -> PopulationModel:
    """Cohort-component simulation 2015–2025 for the Planungsräume in ``areas`` (column ``typ``).

    Each year a cohort ages by one, survives (Gompertz mortality), and grows or shrinks by its
    type's net migration (with a random strength per area-year, plus noise that is relatively
    larger for small counts). Births come from women 15–44 × the year's fertility × the type's
    fertility factor and become age 0; housing completions add newcomers. Finally the whole history
    is scaled to the city's target total (a multiplicative factor keeps every ratio) and rounded.
    """
    n, years = len(areas), len(YEARS)
    age = np.arange(MAX_AGE + 1)
    anchors = np.array(sorted(BASE_PYRAMID))
    base = np.interp(age, anchors, [BASE_PYRAMID[a] for a in anchors])
    group = np.searchsorted(np.array(AGE_GROUP_STARTS), age, side="right") - 1
    mortality = np.minimum(5e-6 * np.exp(0.115 * age), 0.6)
    mortality[0] = 0.003
    asfr = np.exp(-0.5 * ((age - 31) / 5.5) ** 2)
    asfr[(age < 15) | (age > 44)] = 0.0
    asfr *= 0.95 / asfr.sum()  # × TFR = births per woman and year; the city is slightly below average

    profiles = [PROFILES[t] for t in areas["typ"]]
    shape = np.array([[p.shape[g] for g in group] for p in profiles]) * base
    sizes = np.array([rng.integers(*p.pop_2015, endpoint=True) for p in profiles])
    migration = np.array([[p.migration[g] for g in group] for p in profiles])
    fertility = np.array([p.fertility for p in profiles])
    inflow = np.zeros((n, years, MAX_AGE + 1))
    for plan in HOUSING:
        span = range(plan.years[0], plan.years[1] + 1)
        units = plan.per_year or (plan.units / len(span),) * len(span)
        for year, done in zip(span, units, strict=True):
            if year in YEARS:
                inflow[housing_area(plan, areas), YEARS.index(year)] += done * _newcomers(plan.family)

    pop = np.zeros((n, years, MAX_AGE + 1))
    births = np.zeros((n, years))
    pop[:, 0] = shape / shape.sum(axis=1, keepdims=True) * sizes[:, None]
    births[:, 0] = 0.49 * (pop[:, 0] * asfr).sum(axis=1) * TFR[YEARS[0]] * fertility
    pop[:, 0, 0] = births[:, 0] * (1 - mortality[0])
    for t in range(1, years):
        survived = pop[:, t - 1] * (1 - mortality)
        aged = np.zeros_like(survived)
        aged[:, 1:] = survived[:, :-1]
        aged[:, MAX_AGE] += survived[:, MAX_AGE]
        aged *= 1 + migration * rng.normal(1.0, 0.25, (n, 1))
        aged[:, 18:35] *= 1 + YOUNG_ADULT_INFLOW[YEARS[t]]
        aged += inflow[:, t]
        aged = np.clip(aged + rng.normal(0.0, 0.35, aged.shape) * np.sqrt(aged), 0.0, None)
        women = 0.49 * (pop[:, t - 1] + aged) / 2  # mean of the year
        births[:, t] = (women * asfr).sum(axis=1) * TFR[YEARS[t]] * fertility * rng.normal(1.0, 0.03, n)
        aged[:, 0] = births[:, t] * (1 - mortality[0]) * (1 + migration[:, 0] / 2) + inflow[:, t, 0]
        pop[:, t] = aged
    scale = rng.integers(*TARGET_POPULATION, endpoint=True) / pop[:, -1].sum()
    return PopulationModel(np.rint(pop * scale).astype(np.int64), np.rint(births * scale).astype(np.int64))


def _lonlat(areas: gpd.GeoDataFrame, area_pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random WGS84 points (n, 2: lon, lat) inside the given areas, one per entry of ``area_pos``."""
    xy = np.zeros((len(area_pos), 2))
    for pos in sorted(set(area_pos.tolist())):
        rows = np.flatnonzero(area_pos == pos)
        xy[rows] = random_points_in(areas.geometry.iloc[pos], len(rows), rng)
    wgs = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=areas.crs).to_crs(4326)
    return np.column_stack([wgs.x.round(6), wgs.y.round(6)])


# --- Kitas and Kindertagespflege ---------------------------------------------------------------

#: Kita Träger: key → (weight, Träger, Träger-Art, Kita name); ``{x}`` a name, ``{st}`` a patron.
TRAEGER: dict[str, tuple[float, str, str, str]] = {
    "stadt": (0.30, "Stadt Weidenstadt", "öffentlich", "Kita {x}"),
    "ev": (0.17, "Ev.-luth. Kirchengemeinde {st}", "frei", "Ev. Kita {st}"),
    "kath": (0.08, "Kath. Kirchengemeinde {st}", "frei", "Kath. Kita {st}"),
    "awo": (0.12, "AWO Kreisverband Weidenstadt e. V.", "frei", "AWO Kita {x}"),
    "drk": (0.08, "DRK-Kreisverband Weidenstadt e. V.", "frei", "DRK Kita {x}"),
    "eltern": (0.10, "Elterninitiative {x} e. V.", "frei", "Kinderladen {x}"),
    "lebenshilfe": (0.05, "Lebenshilfe Weidenstadt gGmbH", "frei", "Integrative Kita {x}"),
    "johanniter": (0.04, "Johanniter-Unfall-Hilfe e. V.", "frei", "Johanniter-Kita {x}"),
    "kinderhaus": (0.06, "Kinderhaus Weidenstadt gGmbH", "frei", "Kinderhaus {x}"),
}
NAME_POOLS: dict[str, tuple[str, ...]] = {
    "ev": ("St. Marien", "St. Johannis", "St. Petri", "St. Nikolai", "St. Martini", "St. Michaelis",
           "St. Pauli", "St. Jakobi", "St. Andreas", "St. Lukas", "St. Markus", "St. Thomas",
           "St. Matthäus", "St. Stephanus", "St. Matthias", "St. Bartholomäus", "St. Georg"),
    "kath": ("St. Josef", "St. Elisabeth", "St. Godehard", "St. Bernward", "St. Ansgar", "St. Bonifatius",
             "Heilig Kreuz", "St. Hedwig", "St. Antonius", "St. Maria Goretti"),
    "x": ("Sonnenschein", "Regenbogen", "Pusteblume", "Löwenzahn", "Kunterbunt", "Sternschnuppe",
          "Wirbelwind", "Schatzkiste", "Rasselbande", "Spatzennest", "Zwergenland", "Villa Kunterbunt",
          "Abenteuerland", "Märchenland", "Purzelbaum", "Seepferdchen", "Marienkäfer", "Igelburg",
          "Eulennest", "Schmetterling", "Sonnenblume", "Kleine Strolche", "Wichtelhaus", "Traumland",
          "Zauberwald", "Weidenkätzchen", "Mühlenzwerge", "Am Park", "Am Deich", "Waldwichtel",
          "Flohkiste", "Krümelkiste", "Pfiffikus", "Sausewind", "Kleeblatt", "Sternenhimmel",
          "Glühwürmchen", "Hummelnest", "Wolkenburg", "Apfelbäumchen", "Lindenblüte", "Kastanienbaum",
          "Blauer Elefant", "Bärenhöhle", "Fuchsbau", "Biberburg", "Ententeich", "Froschkönig",
          "Kinderinsel", "Lummerland", "Nesthäkchen", "Räuberhöhle", "Schneckenhaus", "Sonnenkinder",
          "Spielkiste", "Tausendfüßler", "Wundertüte", "Zaubergarten", "Farbklecks", "Kinderburg",
          "Wiesenzwerge", "Mäuseburg", "Sonnenstrahl", "Seestern", "Windrose", "Kiebitz", "Bullerbü",
          "Momo", "Kleiner Prinz", "Hasennest", "Rappelkiste", "Mittendrin", "Weltentdecker",
          "Mühlenstrolche", "Flusspiraten"),
}  # fmt: skip
KITA_TARGET_UE3 = 0.94  # city Ü3 places ÷ children 3–5 in the latest year
KITA_TARGET_U3 = 0.45  # city (U3 places + Kindertagespflege) ÷ children 0–2
KITA_SIZE = 52  # mean places per Kita when an area's places are split into Kitas


def kindertagespflege(areas: pd.DataFrame, pop: PopulationModel, rng: np.random.Generator) -> np.ndarray:
    """Childminder places per area and year (0–25): a rising share of the area's under-threes."""
    rate = np.linspace(0.045, 0.082, len(YEARS))
    by_type = {"suburban": 1.3, "neubau": 1.2, "innenstadt": 0.8, "grosswohnsiedlung": 0.7}
    factor = np.array([by_type.get(t, 1.0) for t in areas["typ"]]) * rng.lognormal(0.0, 0.25, len(areas))
    noise = rng.lognormal(0.0, 0.1, (len(areas), len(YEARS)))
    return np.clip(np.rint(pop.band(0, 2) * rate * factor[:, None] * noise), 0, 25).astype(np.int64)


def _area_supply(
    typ: np.ndarray, c02: np.ndarray, c35: np.ndarray, ktp_total: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target Ü3 and U3 places per area and the two short Gründerzeit areas.

    Type factors with ±12 % jitter; the short areas get 55–66 % of their 3–5-year-olds, Sonnenhang
    its type factor; all other areas are scaled so the city meets the Ü3 and U3 targets.
    """
    ue3 = c35 * np.array([PROFILES[t].kita_ue3 for t in typ]) * rng.uniform(0.88, 1.12, len(typ))
    u3 = c02 * np.array([PROFILES[t].kita_u3 for t in typ]) * rng.uniform(0.85, 1.15, len(typ))
    short = rng.choice(np.flatnonzero(typ == "gruenderzeit"), size=2, replace=False)
    ue3[short] = c35[short] * rng.uniform(0.55, 0.66, 2)
    flex = ~np.isin(np.arange(len(typ)), short) & (typ != "neubau")
    ue3[flex] *= (KITA_TARGET_UE3 * c35.sum() - ue3[~flex].sum()) / ue3[flex].sum()
    u3[flex] *= (KITA_TARGET_U3 * c02.sum() - ktp_total - u3[~flex].sum()) / u3[flex].sum()
    return ue3, u3, short


def _split_area(ue3: float, u3: float, rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """Split an area's places into Kitas: (Träger key, U3 places, Ü3 places), multiples of 5.

    Kinderläden (Elterninitiativen) have 20 places; the first Kita of an area is never one.
    """
    if ue3 < 5:
        return []
    n = max(1, round((ue3 + u3) / KITA_SIZE))
    keys, weights = list(TRAEGER), np.array([v[0] for v in TRAEGER.values()])
    kinds = [str(k) for k in rng.choice(keys, size=n, p=weights / weights.sum())]
    kinds = ["stadt" if k == "eltern" and j == 0 else k for j, k in enumerate(kinds)]
    small = np.array([k == "eltern" for k in kinds])
    w = rng.dirichlet(np.full(n, 3.0)) * ~small
    w_u3 = w * rng.lognormal(0.0, 0.3, n)
    rest_ue3, rest_u3 = ue3 - 15 * small.sum(), u3 - 5 * small.sum()
    out = []
    for j, kind in enumerate(kinds):
        if small[j]:
            out.append((kind, 5, 15))
            continue
        k_u3 = max(5, 5 * round(rest_u3 * w_u3[j] / w_u3.sum() / 5))
        k_ue3 = max(15, 5 * round(rest_ue3 * w[j] / w.sum() / 5))
        out.append((kind, k_u3, min(k_ue3, 150 - k_u3)))
    return out


def make_kitas(
    areas: gpd.GeoDataFrame, pop: PopulationModel, ktp_latest: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Kitas whose places meet the city targets (Ü3 ~94 %, U3 incl. Tagespflege ~44 % in 2025).

    Supply follows the area type: inner city oversupplied, Sonnenhang and two Gründerzeit areas
    clearly short, Gewerbegebiet and Stadtwald without Kita. Sonnenhang's Kitas opened 2020 onwards,
    five more opened 2017–2024; one Kita in a Großwohnsiedlung closed in 2023; three are planned
    (Sonnenhang 90 places 2027, a short Gründerzeit area 2026, the northern housing area 2028).
    """
    typ = areas["typ"].to_numpy()
    c02, c35 = pop.band(0, 2)[:, -1], pop.band(3, 5)[:, -1]
    ue3, u3, short = _area_supply(typ, c02, c35, int(ktp_latest.sum()), rng)
    rows = [
        dict(area=i, kind=kind, places_u3=k_u3, places_ue3=k_ue3, status="in Betrieb")
        for i in range(len(areas))
        for kind, k_u3, k_ue3 in _split_area(float(ue3[i]), float(u3[i]), rng)
    ]
    kitas = pd.DataFrame(rows).assign(opening_year=pd.NA, closing_year=pd.NA)
    sonnenhang = int(np.flatnonzero(typ == "neubau")[0])
    for n, idx in enumerate(kitas.index[kitas["area"] == sonnenhang]):
        kitas.loc[idx, "opening_year"] = min(2020 + 2 * n, 2025)
    growing = kitas.index[
        np.isin(kitas["area"], np.flatnonzero(typ == "gruenderzeit")) & (kitas["kind"] != "eltern")
    ]
    for idx in rng.choice(growing, 5, replace=False):
        kitas.loc[idx, "opening_year"] = int(rng.integers(2017, 2025))
    closing = int(rng.choice(np.flatnonzero(typ == "grosswohnsiedlung")))
    north = housing_area(next(h for h in HOUSING if h.status == "geplant"), areas)
    changes = pd.DataFrame(
        [
            dict(
                area=closing,
                kind="stadt",
                places_u3=15,
                places_ue3=25,
                status="geschlossen",
                closing_year=2023,
            ),
            dict(
                area=sonnenhang,
                kind="stadt",
                places_u3=30,
                places_ue3=60,
                status="geplant",
                opening_year=2027,
            ),
            dict(
                area=int(short[0]),
                kind="awo",
                places_u3=25,
                places_ue3=50,
                status="geplant",
                opening_year=2026,
            ),
            dict(area=north, kind="stadt", places_u3=15, places_ue3=45, status="geplant", opening_year=2028),
        ]
    )
    kitas = pd.concat([kitas, changes], ignore_index=True)
    # IDs follow the areas; planned Kitas get the next free numbers.
    kitas = kitas.assign(planned=kitas["status"] == "geplant").sort_values(
        ["planned", "area"], kind="stable", ignore_index=True
    )
    names: dict[str, list[str]] = {k: [str(x) for x in rng.permutation(v)] for k, v in NAME_POOLS.items()}
    named = [_kita_name(kind, names) for kind in kitas["kind"]]
    lonlat = _lonlat(areas, kitas["area"].to_numpy(), rng)
    return pd.DataFrame(
        {
            "kita_id": [f"K{n:03d}" for n in range(1, len(kitas) + 1)],
            "name": [x[0] for x in named],
            "traeger": [x[1] for x in named],
            "traeger_art": [x[2] for x in named],
            "gebiet_id": areas["gebiet_id"].to_numpy()[kitas["area"]],
            "lon": lonlat[:, 0],
            "lat": lonlat[:, 1],
            "places_total": kitas["places_u3"] + kitas["places_ue3"],
            "places_u3": kitas["places_u3"],
            "places_ue3": kitas["places_ue3"],
            "status": kitas["status"],
            "opening_year": kitas["opening_year"].astype("Int64"),
            "closing_year": kitas["closing_year"].astype("Int64"),
        }
    )


def _kita_name(kind: str, pools: dict[str, list[str]]) -> tuple[str, str, str]:
    """(name, Träger, Träger-Art) for a Kita of Träger ``kind``, drawing a unique name from ``pools``.

    A church Träger whose patron pool is used up falls back to the city.
    """
    pool = kind if kind in ("ev", "kath") else "x"
    if not pools[pool]:
        kind, pool = "stadt", "x"
    value = pools[pool].pop(0)
    _, traeger, art, pattern = TRAEGER[kind]
    return pattern.format(x=value, st=value), traeger.format(x=value, st=value), art


# --- Schools and enrollment --------------------------------------------------------------------

GS_NAMES = ("Grundschule Am Mühlenteich", "Astrid-Lindgren-Grundschule", "Erich-Kästner-Grundschule",
            "Wilhelm-Busch-Grundschule", "Brüder-Grimm-Grundschule", "Pestalozzi-Grundschule",
            "Grundschule An der Weide", "Otfried-Preußler-Grundschule", "Grundschule Am Deich",
            "Paul-Maar-Grundschule")  # fmt: skip
N_GRUNDSCHULEN = 19


@dataclass(frozen=True)
class SecondarySchool:
    """A secondary school: it takes ``share`` of each city cohort into each of its grades."""

    schulart: str
    name: str  # "{area}" is replaced by the area's name
    area_types: tuple[str, ...]
    grades: tuple[int, int]
    share: float
    class_max: int
    ganztag_form: str


SECONDARY: tuple[SecondarySchool, ...] = (
    SecondarySchool("Gymnasium", "Ratsgymnasium Weidenstadt", ("innenstadt",), (5, 13), 0.15, 30, "offen"),
    SecondarySchool("Gymnasium", "Käthe-Kollwitz-Gymnasium", ("gruenderzeit",), (5, 13), 0.14, 30, "offen"),
    SecondarySchool("Gymnasium", "Leibniz-Gymnasium", ("gemischt", "suburban"), (5, 13), 0.12, 30, "offen"),
    SecondarySchool("Integrierte Gesamtschule", "IGS {area}", ("grosswohnsiedlung",), (5, 10), 0.08, 28,
                    "gebunden"),
    SecondarySchool("Integrierte Gesamtschule", "IGS {area}", ("grosswohnsiedlung",), (5, 10), 0.075, 28,
                    "gebunden"),
    SecondarySchool("Integrierte Gesamtschule", "IGS {area}", ("gemischt",), (5, 10), 0.075, 28, "gebunden"),
    SecondarySchool("Integrierte Gesamtschule", "IGS {area}", ("gemischt", "suburban"), (5, 10), 0.07, 28,
                    "gebunden"),
    SecondarySchool("Oberschule", "Oberschule {area}", ("gemischt",), (5, 10), 0.1, 26, "teilgebunden"),
    SecondarySchool("Oberschule", "Oberschule {area}", ("suburban", "gemischt"), (5, 10), 0.09, 26,
                    "teilgebunden"),
    SecondarySchool("Förderschule", "Janusz-Korczak-Schule (Förderschwerpunkt Lernen)", ("gemischt",),
                    (5, 10), 0.022, 16, "gebunden"),
    SecondarySchool("Förderschule", "Helen-Keller-Schule (Förderschwerpunkt geistige Entwicklung)",
                    ("gruenderzeit",), (1, 10), 0.008, 8, "gebunden"),
)  # fmt: skip
GS_CLASS_MAX = 26  # Klassenteiler Grundschule (Lower Saxony)
EINSCHULUNGSQUOTE = 0.97
GANZTAG_TARGET = 0.52  # Ganztag places ÷ primary pupils (grades 1–4) in the latest school year
OBERSTUFE_STAY = {11: 0.97, 12: 0.93, 13: 0.88}  # Gymnasium grades 11–13 relative to the cohort share


def make_schools(
    areas: gpd.GeoDataFrame, pop: PopulationModel, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """19 Grundschulen and 11 secondary schools with enrollment 2015/16–2025/26 (schools, enrollment).

    Grundschulen stand in the 19 areas with most 6–9-year-olds (never in the special areas, so
    Sonnenhang has none). Catchments (Schulbezirke): each Planungsraum belongs to the Grundschule
    nearest to its centroid. Grade g in school year t = the catchment's children aged 5 + g on
    31.12.t × Einschulungsquote 0.97 × (1 − 1–6 % to private schools). Secondary schools take
    fixed shares of the city's cohorts (grade g ↔ age 5 + g); Gymnasien are G9 with grades 5–13
    (Lower Saxony since 2015/16, the missing Abitur year of the switch is ignored), the others
    5–10, the Förderschule geistige Entwicklung 1–10. Classes = ceil(pupils ÷ max class size).
    """
    typ = areas["typ"].to_numpy()
    c69 = pop.band(6, 9)[:, -1]
    eligible = np.flatnonzero(~np.isin(typ, ["neubau", "hafen", "gewerbe", "wald"]))
    gs_area = np.sort(eligible[np.argsort(-c69[eligible], kind="stable")[:N_GRUNDSCHULEN]])
    cxy = areas[["cx", "cy"]].to_numpy()
    catchment = np.argmin(((cxy[:, None, :] - cxy[gs_area][None, :, :]) ** 2).sum(axis=2), axis=1)
    pool: list[str | None] = [*rng.permutation(GS_NAMES).tolist(), *[None] * (N_GRUNDSCHULEN - len(GS_NAMES))]
    pool = [pool[i] for i in rng.permutation(len(pool))]
    t_all = np.arange(len(YEARS))
    schools: list[dict[str, object]] = []
    enroll: list[dict[str, object]] = []
    for k, a in enumerate(gs_area):
        leak = rng.uniform(0.01, 0.06)
        kids = pop.ages[catchment == k].sum(axis=0)  # (years, ages)
        noise = rng.normal(1.0, 0.015, (4, len(YEARS)))
        pupils = np.rint(kids[:, 6:10].T * EINSCHULUNGSQUOTE * (1 - leak) * noise).astype(
            int
        )  # (grade, year)
        zuege = int(np.clip(math.ceil(pupils[:, 3:8].mean() / GS_CLASS_MAX), 2, 4))  # 2018–2022
        name = pool[k] or f"Grundschule {areas['name'].iloc[a]}"
        schools.append(
            dict(
                schulart="Grundschule",
                name=name,
                area=a,
                zuege=float(zuege),
                ganztag_form=None,
                classrooms=4 * zuege + int(rng.integers(0, 3)),
                pupils_latest=int(pupils[:, -1].sum()),
            )
        )
        enroll += [
            dict(
                school=k,
                school_year=YEARS[t],
                grade=g + 1,
                pupils=int(pupils[g, t]),
                classes=math.ceil(pupils[g, t] / GS_CLASS_MAX),
            )
            for g in range(4)
            for t in t_all
        ]

    city = pop.ages.sum(axis=0)  # (years, ages)
    used: set[tuple[str, int]] = set()
    for spec in SECONDARY:
        a = int(
            rng.choice(
                [i for i in np.flatnonzero(np.isin(typ, spec.area_types)) if (spec.schulart, i) not in used]
            )
        )
        used.add((spec.schulart, a))
        slope = {"Gymnasium": 0.006, "Oberschule": -0.004}.get(spec.schulart, 0.0)
        share = spec.share * (1 + slope * t_all)  # more Gymnasium, less Oberschule over the years
        k = len(schools)
        first_grades = []
        for g in range(spec.grades[0], spec.grades[1] + 1):
            noise = rng.normal(1.0, 0.03, len(YEARS))
            pupils = np.rint(city[:, 5 + g] * share * OBERSTUFE_STAY.get(g, 1.0) * noise).astype(int)
            first_grades.append(pupils[:5].mean())
            class_max = 25 if g > 10 else spec.class_max  # Oberstufe: tutor groups
            enroll += [
                dict(
                    school=k,
                    school_year=YEARS[t],
                    grade=g,
                    pupils=int(pupils[t]),
                    classes=math.ceil(pupils[t] / class_max),
                )
                for t in t_all
            ]
        zuege = max(1, round(float(np.mean(first_grades[:6])) / spec.class_max))
        schools.append(
            dict(
                schulart=spec.schulart,
                name=spec.name.format(area=areas["name"].iloc[a]),
                area=a,
                zuege=float(zuege),
                ganztag_form=spec.ganztag_form,
                classrooms=zuege * min(6, len(first_grades)) + int(rng.integers(2, 7)),
                pupils_latest=0,
            )
        )
    frame = pd.DataFrame(schools)
    places, forms = _ganztag(frame, rng)
    lonlat = _lonlat(areas, frame["area"].to_numpy(), rng)
    out = pd.DataFrame(
        {
            "schul_id": [f"S{n:02d}" for n in range(1, len(frame) + 1)],
            "name": frame["name"],
            "schulart": frame["schulart"],
            "traeger": "Stadt Weidenstadt",
            "gebiet_id": areas["gebiet_id"].to_numpy()[frame["area"]],
            "lon": lonlat[:, 0],
            "lat": lonlat[:, 1],
            "zuege": frame["zuege"],
            "classrooms": frame["classrooms"],
            "ganztag_places": pd.array(places, dtype="Int64"),
            "ganztag_form": forms,
        }
    )
    enrollment = pd.DataFrame(enroll)
    enrollment.insert(0, "schul_id", out["schul_id"].to_numpy()[enrollment.pop("school")])
    return out, enrollment


def _ganztag(schools: pd.DataFrame, rng: np.random.Generator) -> tuple[list[int | None], list[str | None]]:
    """Ganztag places and form per school.

    Grundschulen: 4 gebunden (85–100 % of pupils), 1 teilgebunden (65 %), 3 without Ganztag yet
    (0 places), the rest offen with places calibrated so that the city reaches ``GANZTAG_TARGET``.
    Secondary schools keep their form; their places are not recorded (NULL).
    """
    gs = np.flatnonzero(schools["schulart"].to_numpy() == "Grundschule")
    pupils = schools["pupils_latest"].to_numpy(dtype=float)
    order = rng.permutation(gs)
    kinds = ["gebunden"] * 4 + ["teilgebunden"] + ["ohne"] * 3 + ["offen"] * (len(gs) - 8)
    form_of = dict(zip(order.tolist(), kinds, strict=True))
    frac = {
        i: {"gebunden": rng.uniform(0.85, 1.0), "teilgebunden": 0.65}.get(f, 0.0) for i, f in form_of.items()
    }
    offen = [i for i, f in form_of.items() if f == "offen"]
    fixed = sum(frac[i] * pupils[i] for i in form_of if i not in offen)
    base = (GANZTAG_TARGET * pupils[gs].sum() - fixed) / pupils[offen].sum()
    for i in offen:
        frac[i] = base * rng.uniform(0.8, 1.2)
    places: list[int | None] = [None] * len(schools)
    forms: list[str | None] = schools["ganztag_form"].tolist()
    for i, f in form_of.items():
        places[i] = int(5 * round(pupils[i] * frac[i] / 5))
        forms[i] = None if f == "ohne" else f
    return places, forms


# --- Kennzahlen and housing ---------------------------------------------------------------------

INDICATOR_YEARS = tuple(range(2019, 2026))
REFUGEE_YEARS = (2022, 2023, 2024, 2025)
#: Rate indicators: code → (value scale, base rate, rate increase per unit of social status).
RATE_INDICATORS: dict[str, tuple[float, float, float]] = {
    "kinderarmut": (100.0, 0.03, 0.40),
    "hze_je_1000": (1000.0, 0.004, 0.022),
    "sprachfoerderbedarf": (100.0, 0.08, 0.42),
    "alleinerziehende": (100.0, 0.12, 0.22),
    "jugendarbeitslosigkeit": (100.0, 0.015, 0.08),
    "ohne_abschluss": (100.0, 0.02, 0.16),
}


def _denominators(pop: PopulationModel) -> dict[str, np.ndarray]:
    """Denominator per rate indicator, area and year, from the area's own residents."""
    return {
        "kinderarmut": pop.band(0, 14),
        "hze_je_1000": pop.band(0, 20),
        "sprachfoerderbedarf": np.rint(pop.band(5, 5) * 0.96),  # examined at school entry
        "alleinerziehende": np.rint(pop.band(0, 17) / 1.65),  # households with children
        "jugendarbeitslosigkeit": pop.band(15, 24),
        "ohne_abschluss": np.rint(pop.band(16, 16) * 0.95),  # school leavers by residence
    }


def make_indicators(areas: pd.DataFrame, pop: PopulationModel, rng: np.random.Generator) -> pd.DataFrame:
    """Kennzahlen per Planungsraum and year 2019–2025 with numerator and denominator.

    Numerators are drawn binomially around a rate set by the area type's social status, so the
    Großwohnsiedlungen show high child poverty and language-support need and the suburbs low ones.
    HzE cases are capped at 40. Areas under 600 residents miss values (all NULL) in about a third
    of the years before the latest one; the latest year is complete so that city and Bezirk rates
    can be aggregated there. A zero denominator is kept as 0/0 with value NULL (no rate, not
    missing). ``gefluechtete_kinder`` is a count (2022–2025): 1–30 in five areas with a
    Gemeinschaftsunterkunft, 0 elsewhere.
    """
    typ = areas["typ"].to_numpy()
    status0 = np.array([PROFILES[t].social for t in typ]) + rng.normal(0, 0.05, len(typ))
    trend = np.array([PROFILES[t].social_trend for t in typ])
    residents = pop.ages.sum(axis=2)
    dens = _denominators(pop)
    rows: list[dict[str, object]] = []
    for year in INDICATOR_YEARS:
        t = YEARS.index(year)
        status = np.clip(status0 + trend * (year - INDICATOR_YEARS[0]), 0.02, 0.98)
        for code, (scale, base, slope) in RATE_INDICATORS.items():
            den = dens[code][:, t].astype(np.int64)
            rate = (
                base + slope * status + (0.04 * (typ == "innenstadt") if code == "alleinerziehende" else 0.0)
            )
            num = rng.binomial(den, np.clip(rate, 0.0, 1.0))
            if code == "hze_je_1000":
                num = np.minimum(num, 40)
            missing = (residents[:, t] < 600) & (rng.random(len(typ)) < 0.35) & (year < YEARS[-1])
            for i in range(len(typ)):
                rows.append(
                    dict(
                        area=i,
                        year=year,
                        code=code,
                        value=scale * num[i] / den[i] if den[i] > 0 and not missing[i] else None,
                        numerator=None if missing[i] else float(num[i]),
                        denominator=None if missing[i] else float(den[i]),
                    )
                )
    shelters = rng.choice(
        np.flatnonzero(np.isin(typ, ["grosswohnsiedlung", "gemischt", "hafen"])), 5, replace=False
    )
    start = dict(zip(shelters.tolist(), rng.integers(8, 31, 5).tolist(), strict=True))
    for k, year in enumerate(REFUGEE_YEARS):
        for i in range(len(typ)):
            count = (
                int(np.clip(round(start[i] * (1 - 0.15 * k) + rng.normal(0, 2)), 1, 30)) if i in start else 0
            )
            rows.append(
                dict(
                    area=i,
                    year=year,
                    code="gefluechtete_kinder",
                    value=float(count),
                    numerator=float(count),
                    denominator=None,
                )
            )
    out = pd.DataFrame(rows)
    out.insert(0, "gebiet_id", areas["gebiet_id"].to_numpy()[out.pop("area")])
    return out


def make_housing(areas: pd.DataFrame) -> pd.DataFrame:
    """The housing developments of :data:`HOUSING` with their areas."""
    rows = []
    for plan in HOUSING:
        pos = housing_area(plan, areas)
        rows.append(
            dict(
                projekt_id=plan.projekt_id,
                name=plan.name.format(area=areas["name"].iloc[pos]),
                gebiet_id=areas["gebiet_id"].iloc[pos],
                units=plan.units,
                completion_year=plan.years[0],
                completion_year_end=plan.years[1],
                status=plan.status,
            )
        )
    return pd.DataFrame(rows)


# --- Assembly and database ----------------------------------------------------------------------

MUNICIPALITY = "Weidenstadt"
LAYOUT_CODE = "weidenstadt-2024"
#: Dataset version per data kind: (label, Stand).
VERSIONS: dict[str, tuple[str, dt.date]] = {
    "gebiete": ("Gebietsgliederung Weidenstadt, Stand 01.01.2024 (Demo)", dt.date(2024, 1, 1)),
    "bevoelkerung": ("Einwohnerregister 31.12.2015–31.12.2025 (Demo)", dt.date(2025, 12, 31)),
    "geburten": ("Geburten 2015–2025 nach Wohnort der Mutter (Demo)", dt.date(2025, 12, 31)),
    "kitas": ("Kitas und Plätze laut Betriebserlaubnis, Stand 01.10.2025 (Demo)", dt.date(2025, 10, 1)),
    "kindertagespflege": ("Kindertagespflege-Plätze 2015–2025, Stichtag 01.10. (Demo)", dt.date(2025, 10, 1)),
    "schulen": ("Schulverzeichnis Schuljahr 2025/26 (Demo)", dt.date(2025, 9, 15)),
    "schueler": ("Schülerzahlen 2015/16–2025/26, Stichtag 15.09. (Demo)", dt.date(2025, 9, 15)),
    "kennzahlen": ("Sozialraum-Kennzahlen 2019–2025 (Demo)", dt.date(2025, 12, 31)),
    "wohnbau": ("Wohnbauflächen-Monitoring, Stand 30.06.2025 (Demo)", dt.date(2025, 6, 30)),
}  # fmt: skip


@dataclass(frozen=True)
class DemoData:
    """All tables of the demo city as frames keyed by ``gebiet_id``/``schul_id`` (no database ids).

    ``areas`` has both levels plus ``typ`` (settlement type) and centroid ``cx``/``cy``.
    """

    areas: gpd.GeoDataFrame
    population: pd.DataFrame
    births: pd.DataFrame
    kitas: pd.DataFrame
    kindertagespflege: pd.DataFrame
    schools: pd.DataFrame
    enrollment: pd.DataFrame
    indicators: pd.DataFrame
    housing: pd.DataFrame


@dataclass(frozen=True)
class DemoReport:
    """What :func:`build_demo` wrote. Population figures are for ``year`` (31.12.), Kitas in
    operation and primary pupils (Grundschulen, grades 1–4) for the same year / school year."""

    municipality: str
    layout_code: str
    seed: int
    year: int
    areas: int
    bezirke: int
    planungsraeume: int
    kitas: int
    kitas_in_operation: int
    schools: int
    population_total: int
    children_0_3: int
    children_3_6: int
    children_6_10: int
    births: int
    primary_pupils: int
    housing_developments: int
    rows: int

    def __str__(self) -> str:
        def n(x: int) -> str:
            return f"{x:,}".replace(",", ".")

        return (
            f"{self.municipality} (Seed {self.seed}): {self.bezirke} Stadtbezirke, {self.planungsraeume} "
            f"Planungsräume, {n(self.population_total)} Einwohner:innen {self.year}, {self.kitas} Kitas "
            f"({self.kitas_in_operation} in Betrieb), {self.schools} Schulen, {n(self.rows)} Datensätze"
        )


def _long_population(pr: pd.DataFrame, pop: PopulationModel) -> pd.DataFrame:
    """Single ages 0–17, bands 18–64 and 65+ and the total (0, open) per area and year."""
    bands = [pop.band(18, 64), pop.band(65, MAX_AGE), pop.ages.sum(axis=2)]
    counts = np.concatenate([pop.ages[:, :, :18], *(b[..., None] for b in bands)], axis=2)
    age_from = np.array([*range(18), 18, 65, 0])
    age_to = pd.array([*range(18), 64, None, None], dtype="Int64")
    a, t, k = (m.ravel() for m in np.meshgrid(*(np.arange(n) for n in counts.shape), indexing="ij"))
    return pd.DataFrame(
        {
            "gebiet_id": pr["gebiet_id"].to_numpy()[a],
            "year": np.array(YEARS)[t],
            "age_from": age_from[k],
            "age_to": age_to[k],
            "count": counts.ravel(),
        }
    )


def _per_area_year(pr: pd.DataFrame, values: np.ndarray, column: str) -> pd.DataFrame:
    a, t = (m.ravel() for m in np.meshgrid(np.arange(len(pr)), np.arange(len(YEARS)), indexing="ij"))
    return pd.DataFrame(
        {"gebiet_id": pr["gebiet_id"].to_numpy()[a], "year": np.array(YEARS)[t], column: values.ravel()}
    )


def generate_demo(seed: int = 2025) -> DemoData:
    """Generate every table of the demo city for ``seed`` without touching a database.

    Each part draws from its own child generator, so a change in one part does not reshuffle the
    others.
    """
    city = generate_city(seed)
    rng_pop, rng_kita, rng_school, rng_ind = np.random.default_rng(seed).spawn(4)
    centroids = city.areas.geometry.centroid
    areas = city.areas.assign(cx=centroids.x, cy=centroids.y)
    pr = areas[areas["level"] == 1].reset_index(drop=True)
    pop = simulate_population(pr, rng_pop)
    ktp = kindertagespflege(pr, pop, rng_kita)
    schools, enrollment = make_schools(pr, pop, rng_school)
    return DemoData(
        areas=areas,
        population=_long_population(pr, pop),
        births=_per_area_year(pr, pop.births, "count"),
        kitas=make_kitas(pr, pop, ktp[:, -1], rng_kita),
        kindertagespflege=_per_area_year(pr, ktp, "places"),
        schools=schools,
        enrollment=enrollment,
        indicators=make_indicators(pr, pop, rng_ind),
        housing=make_housing(pr),
    )


def _records(df: pd.DataFrame, columns: list[str], **extra: object) -> list[dict[str, object]]:
    """Plain Python rows for a bulk insert (NaN/NA → None; ``tolist`` yields Python scalars)."""

    def clean(v: object) -> object:
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v

    values = [[clean(v) for v in df[c].tolist()] for c in columns]
    return [{**extra, **dict(zip(columns, row, strict=True))} for row in zip(*values, strict=True)]


#: Fact tables written with ``area_id``: data kind → (model, DemoData attribute, columns).
_FACTS: dict[str, tuple[type, str, list[str]]] = {
    "bevoelkerung": (Population, "population", ["year", "age_from", "age_to", "count"]),
    "geburten": (Birth, "births", ["year", "count"]),
    "kindertagespflege": (Kindertagespflege, "kindertagespflege", ["year", "places"]),
    "kitas": (Kita, "kitas", ["kita_id", "name", "traeger", "traeger_art", "lon", "lat", "places_total",
                              "places_u3", "places_ue3", "status", "opening_year", "closing_year"]),
    "kennzahlen": (IndicatorValue, "indicators", ["year", "code", "value", "numerator", "denominator"]),
    "wohnbau": (HousingDevelopment, "housing", ["projekt_id", "name", "units", "completion_year",
                                                "completion_year_end", "status"]),
}  # fmt: skip
_SCHOOL_COLUMNS = ["schul_id", "name", "schulart", "traeger", "lon", "lat", "zuege", "classrooms",
                   "ganztag_places", "ganztag_form"]  # fmt: skip


def build_demo(engine: Engine, seed: int = 2025) -> DemoReport:
    """Write the demo city into a migrated, empty database in one transaction; returns its figures."""
    data = generate_demo(seed)
    counts = {"gebiete": len(data.areas), "schulen": len(data.schools), "schueler": len(data.enrollment)}
    counts |= {kind: len(getattr(data, attr)) for kind, (_, attr, _) in _FACTS.items()}
    with session_scope(engine) as s:
        layout = AreaLayout(
            code=LAYOUT_CODE,
            name="Gebietsstand 2024",
            municipality=MUNICIPALITY,
            epsg=25832,
            stand=dt.date(2024, 1, 1),
            level_names="Stadtbezirk|Planungsraum",
            is_active=True,
        )
        s.add(layout)
        s.flush()
        versions = {
            kind: DatasetVersion(
                kind=kind,
                layout_id=layout.id,
                label=label,
                source=SOURCE,
                licence=LICENCE,
                stand=stand,
                row_count=counts[kind],
                imported_by="demo",
                is_active=True,
                note=f"Synthetisch erzeugt mit Seed {seed}.",
            )
            for kind, (label, stand) in VERSIONS.items()
        }
        s.add_all(versions.values())
        area_id: dict[str, int] = {}
        for level in (0, 1):  # Bezirke first: the Planungsräume need their ids as parent_id
            objs = [
                Area(
                    layout_id=layout.id,
                    gebiet_id=r.gebiet_id,
                    name=r.name,
                    level=level,
                    parent_id=area_id[r.parent_gebiet_id] if level else None,
                    geom_wkb=shapely.to_wkb(r.geometry),
                    area_m2=float(r.geometry.area),
                )
                for r in data.areas[data.areas["level"] == level].itertuples()
            ]
            s.add_all(objs)
            s.flush()
            area_id |= {o.gebiet_id: o.id for o in objs}
        for kind, (model, attr, columns) in _FACTS.items():
            df = getattr(data, attr)
            rows = _records(df, columns, dataset_version_id=versions[kind].id)
            for row, gid in zip(rows, df["gebiet_id"].tolist(), strict=True):
                row["area_id"] = area_id[gid]
            s.execute(insert(model), rows)
        schools = [
            School(**row, area_id=area_id[gid], dataset_version_id=versions["schulen"].id)
            for row, gid in zip(
                _records(data.schools, _SCHOOL_COLUMNS), data.schools["gebiet_id"], strict=True
            )
        ]
        s.add_all(schools)
        s.flush()
        school_id = {o.schul_id: o.id for o in schools}
        rows = _records(data.enrollment, ["school_year", "grade", "pupils", "classes"])
        for row, sid in zip(rows, data.enrollment["schul_id"].tolist(), strict=True):
            row |= {"school_id": school_id[sid], "dataset_version_id": versions["schueler"].id}
        s.execute(insert(Enrollment), rows)
    return demo_report(data, seed, rows=sum(counts.values()))


def demo_report(data: DemoData, seed: int, rows: int = 0) -> DemoReport:
    """Key figures of generated demo data for the latest year."""
    year = YEARS[-1]
    p = data.population[data.population["year"] == year]
    singles = p[p["age_from"] == p["age_to"]]

    def children(a0: int, a1: int) -> int:
        return int(singles.loc[singles["age_from"].between(a0, a1), "count"].sum())

    k = data.kitas
    in_operation = (k["status"] == "in Betrieb") & (k["opening_year"].isna() | (k["opening_year"] <= year))
    e = data.enrollment.merge(data.schools[["schul_id", "schulart"]], on="schul_id")
    primary = e[(e["schulart"] == "Grundschule") & (e["school_year"] == year) & e["grade"].between(1, 4)]
    return DemoReport(
        municipality=MUNICIPALITY,
        layout_code=LAYOUT_CODE,
        seed=seed,
        year=year,
        areas=len(data.areas),
        bezirke=int((data.areas["level"] == 0).sum()),
        planungsraeume=int((data.areas["level"] == 1).sum()),
        kitas=len(k),
        kitas_in_operation=int(in_operation.sum()),
        schools=len(data.schools),
        population_total=int(p.loc[(p["age_from"] == 0) & p["age_to"].isna(), "count"].sum()),
        children_0_3=children(0, 2),
        children_3_6=children(3, 5),
        children_6_10=children(6, 9),
        births=int(data.births.loc[data.births["year"] == year, "count"].sum()),
        primary_pupils=int(primary["pupils"].sum()),
        housing_developments=len(data.housing),
        rows=rows,
    )
