"""Cohort-component population model of the demo city, 2015–2025 (births, ageing, migration).

Why: every child count, Kita place and pupil of the demo derives from these simulated residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning.demo.housing import HOUSING, housing_area
from planning.demo.profiles import PROFILES

YEARS = tuple(range(2015, 2026))
MAX_AGE = 100  # the last single age stands for 100+
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
