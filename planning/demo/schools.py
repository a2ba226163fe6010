"""Grundschulen with catchments, secondary schools, Ganztag and enrollment 2015/16–2025/26.

Why: pupils follow the simulated cohorts, so school figures stay consistent with the population.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from planning.demo.locations import lonlat
from planning.demo.population import YEARS, PopulationModel

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
    coords = lonlat(areas, frame["area"].to_numpy(), rng)
    out = pd.DataFrame(
        {
            "schul_id": [f"S{n:02d}" for n in range(1, len(frame) + 1)],
            "name": frame["name"],
            "schulart": frame["schulart"],
            "traeger": "Stadt Weidenstadt",
            "gebiet_id": areas["gebiet_id"].to_numpy()[frame["area"]],
            "lon": coords[:, 0],
            "lat": coords[:, 1],
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
