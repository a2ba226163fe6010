"""Write the generated demo city into the database and report its key figures.

Why: one transaction with dataset versions, areas and fact tables, like a real import.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass

import pandas as pd
import shapely
from sqlalchemy import Engine, insert

from planning.auth import SYSTEM, acting_as
from planning.db import session_scope
from planning.demo.generate import DemoData, generate_demo
from planning.demo.population import YEARS
from planning.demo.register import register_rows
from planning.demo.steering import seed_steering
from planning.models import FACT_MODELS, Area, AreaLayout, DatasetVersion, Enrollment, School
from planning.models import Scenario as ScenarioRow
from planning.scenarios import Measure

SOURCE = "Demo-Kommune Weidenstadt (synthetisch erzeugt, planungsatlas demo)"
LICENCE = "CC0 1.0"
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


def _records(df: pd.DataFrame, columns: list[str], **extra: object) -> list[dict[str, object]]:
    """Plain Python rows for a bulk insert (NaN/NA → None; ``tolist`` yields Python scalars)."""

    def clean(v: object) -> object:
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v

    values = [[clean(v) for v in df[c].tolist()] for c in columns]
    return [{**extra, **dict(zip(columns, row, strict=True))} for row in zip(*values, strict=True)]


#: Fact tables written with ``area_id`` (model: FACT_MODELS): data kind → (DemoData attribute, columns).
_FACTS: dict[str, tuple[str, list[str]]] = {
    "bevoelkerung": ("population", ["year", "age_from", "age_to", "count"]),
    "geburten": ("births", ["year", "count"]),
    "kindertagespflege": ("kindertagespflege", ["year", "places"]),
    "kitas": ("kitas", ["kita_id", "name", "traeger", "traeger_art", "lon", "lat", "places_total",
                        "places_u3", "places_ue3", "status", "opening_year", "closing_year"]),
    "kennzahlen": ("indicators", ["year", "code", "value", "numerator", "denominator"]),
    "wohnbau": ("housing", ["projekt_id", "name", "units", "completion_year", "completion_year_end",
                            "status"]),
}  # fmt: skip
_SCHOOL_COLUMNS = ["schul_id", "name", "schulart", "traeger", "lon", "lat", "zuege", "classrooms",
                   "ganztag_places", "ganztag_form"]  # fmt: skip


def demo_versions(
    layout_id: int,
    counts: dict[str, int],
    imported_by: str,
    note: str,
    source: str = SOURCE,
    licence: str = LICENCE,
) -> dict[str, DatasetVersion]:
    """One active dataset version per kind of the demo city (labels and Stand of :data:`VERSIONS`)."""
    return {
        kind: DatasetVersion(
            kind=kind,
            layout_id=layout_id,
            label=label,
            source=source,
            licence=licence,
            stand=stand,
            row_count=counts[kind],
            imported_by=imported_by,
            is_active=True,
            note=note,
        )
        for kind, (label, stand) in VERSIONS.items()
    }


def build_demo(engine: Engine, seed: int = 2025) -> DemoReport:
    """Write the demo city into a migrated, empty database in one transaction; returns its figures.

    Written by the system service (explicitly: nothing writes without an acting person)."""
    with acting_as(SYSTEM):
        return _build_demo(engine, seed)


def _build_demo(engine: Engine, seed: int) -> DemoReport:
    data = generate_demo(seed)
    counts = {"gebiete": len(data.areas), "schulen": len(data.schools), "schueler": len(data.enrollment)}
    counts |= {kind: len(getattr(data, attr)) for kind, (attr, _) in _FACTS.items()}
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
        versions = demo_versions(layout.id, counts, "demo", f"Synthetisch erzeugt mit Seed {seed}.")
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
        for kind, (attr, columns) in _FACTS.items():
            df = getattr(data, attr)
            rows = _records(df, columns, dataset_version_id=versions[kind].id)
            for row, gid in zip(rows, df["gebiet_id"].tolist(), strict=True):
                row["area_id"] = area_id[gid]
            s.execute(insert(FACT_MODELS[kind]), rows)
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
        s.add_all(demo_scenarios(layout.id))
        s.add_all(register_rows())
    seed_steering(engine)  # needs the committed data (it picks the district by its figures)
    return demo_report(data, seed, rows=sum(counts.values()))


def demo_scenarios(layout_id: int) -> list[ScenarioRow]:
    """Three "what if" scenarios of the kind a Steuerkreis asks for (see SCENES.md, scene 2)."""
    defs = [
        (
            "Heidkamp-Nord 2 Jahre später",
            "Das Wohngebiet Heidkamp-Nord (W03) wird zwei Jahre später fertig.",
            {},
            [Measure("wohnbau_verschieben", projekt_id="W03", delay=2)],
        ),
        (
            "Grundschule Sonnenhang 2028",
            "Neue dreizügige Grundschule mit offenem Ganztag im Neubaugebiet Sonnenhang ab 2028/29.",
            {},
            [
                Measure("schule_zuege", "0405", 2028, zuege=3),
                Measure("ganztag_plaetze", "0405", 2028, places=225),
            ],
        ),
        (
            "Kita Kastanienallee, höherer U3-Bedarf",
            "Neue Kita an der Kastanienallee ab 2027 (20 U3, 70 Ü3); U3-Bedarfsquoten 55 % / 80 %.",
            {"bedarfsquote_1": 0.55, "bedarfsquote_2": 0.80},
            [Measure("kita_plaetze", "0601", 2027, u3=20, ue3=70)],
        ),
    ]
    return [
        ScenarioRow(
            layout_id=layout_id,
            name=name,
            description=text,
            params_json=json.dumps(params, sort_keys=True),
            measures_json=json.dumps([asdict(m) for m in measures], ensure_ascii=False),
            created_by="demo",
            updated_by="demo",
            revision=1,
        )
        for name, text, params, measures in defs
    ]


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
