"""Comparing two dataset versions of one kind: what changed, per area.

Scene 1 of the planners' month: "What changed against last year, and where?" Each kind is reduced
to its headline count per area (residents, births, Kita places, Tagespflege places, school
places/pupils, housing units, indicator values), then the two versions are set side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from planning import repository as repo
from planning.population import total_population

Reducer = Callable[[Engine, int], pd.DataFrame]


def _population(engine: Engine, vid: int) -> pd.DataFrame:
    pop = repo.load_population(engine, vid)
    latest = pop[pop["year"] == pop["year"].max()] if not pop.empty else pop
    return total_population(latest).rename(columns={"count": "wert"})[["gebiet_id", "wert"]]


def _sum_by_area(
    loader: Callable[[Engine, int], pd.DataFrame], column: str, latest_col: str | None = None
) -> Reducer:
    def fn(engine: Engine, vid: int) -> pd.DataFrame:
        df = loader(engine, vid)
        if latest_col and not df.empty:
            df = df[df[latest_col] == df[latest_col].max()]
        df = df[df["gebiet_id"].notna()]
        return (
            df.groupby("gebiet_id", as_index=False)[column].sum(min_count=1).rename(columns={column: "wert"})
        )

    return fn


def _count_by_area(loader: Callable[[Engine, int], pd.DataFrame]) -> Reducer:
    def fn(engine: Engine, vid: int) -> pd.DataFrame:
        df = loader(engine, vid)
        df = df[df["gebiet_id"].notna()]
        return df.groupby("gebiet_id", as_index=False).size().rename(columns={"size": "wert"})

    return fn


#: kind → (what is compared, reducer)
MEASURES: dict[str, tuple[str, Reducer]] = {
    "bevoelkerung": ("Einwohner:innen (neuestes Jahr)", _population),
    "geburten": ("Geburten (neuestes Jahr)", _sum_by_area(repo.load_births, "count", "year")),
    "kitas": ("Kita-Plätze", _sum_by_area(repo.load_kitas, "places_total")),
    "kindertagespflege": (
        "Plätze Kindertagespflege (neuestes Jahr)",
        _sum_by_area(repo.load_kindertagespflege, "places", "year"),
    ),
    "schulen": ("Schulen", _count_by_area(repo.load_schools)),
    "schueler": (
        "Schüler:innen (neuestes Schuljahr)",
        _sum_by_area(repo.load_enrollment, "pupils", "school_year"),
    ),
    "kennzahlen": ("Anzahl Kennzahlwerte", _count_by_area(repo.load_indicator_values)),
    "wohnbau": ("Wohneinheiten", _sum_by_area(repo.load_housing, "units")),
}


def compare_versions(engine: Engine, kind: str, old_id: int, new_id: int) -> pd.DataFrame:
    """Per area: ``gebiet_id, alt, neu, differenz, differenz_prozent, status``.

    ``status`` is ``neu``, ``entfallen``, ``geändert`` or ``gleich``.
    """
    if kind not in MEASURES:
        raise KeyError(f"Für „{kind}“ gibt es keinen Vergleich. Möglich: {', '.join(MEASURES)}")
    reduce = MEASURES[kind][1]
    old = reduce(engine, old_id).rename(columns={"wert": "alt"})
    new = reduce(engine, new_id).rename(columns={"wert": "neu"})
    out = old.merge(new, on="gebiet_id", how="outer").astype({"alt": "Float64", "neu": "Float64"})
    out["differenz"] = out["neu"] - out["alt"]
    out["differenz_prozent"] = (out["differenz"] / out["alt"].where(out["alt"] != 0) * 100).round(1)
    status = pd.Series("gleich", index=out.index, dtype="object")
    status[out["differenz"].fillna(0) != 0] = "geändert"
    status[out["alt"].isna() & out["neu"].notna()] = "neu"
    status[out["neu"].isna() & out["alt"].notna()] = "entfallen"
    out["status"] = status
    return out.sort_values("gebiet_id").reset_index(drop=True)


def activate(engine: Engine, version_id: int) -> str:
    """Make a dataset version the active one of its kind again; returns its label. Areas are not versions
    to activate: a layout (Gebietsstand) is chosen instead."""
    from sqlalchemy.orm import Session

    from planning.imports.writer import activate_version
    from planning.models import DatasetVersion

    with Session(engine) as s, s.begin():
        version = s.get(DatasetVersion, version_id)
        if version is None:
            raise KeyError(f"Datenstand Nr. {version_id} gibt es nicht.")
        if version.kind == "gebiete":
            raise ValueError("Gebietsstände werden über ihren Code gewählt, nicht aktiviert.")
        activate_version(s, version)
        return version.label
