"""Sozialraum-Kennzahlen of the demo city, 2019–2025, with numerators and denominators.

Why: rates follow each area's social status and use the simulated residents as denominators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.demo.population import YEARS, PopulationModel
from planning.demo.profiles import PROFILES

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
