"""Read access to the database as DataFrames, always through the *active* dataset versions.

Functions take an engine and small hashable arguments (layout id, version ids) so the UI can cache
them keyed on exactly what determines the result. They return new frames and never mutate input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning.models import DATA_KINDS, FACT_MODELS, Area, AreaLayout, DatasetVersion, School


class NoDataError(LookupError):
    """The database holds no area layout yet (nothing imported, no demo built)."""


@dataclass(frozen=True)
class LayoutInfo:
    id: int
    code: str
    name: str
    municipality: str
    epsg: int
    stand: dt.date | None
    levels: tuple[str, ...]
    is_active: bool


@dataclass(frozen=True)
class VersionInfo:
    id: int
    kind: str
    label: str
    source: str
    licence: str
    stand: dt.date | None
    imported_at: dt.datetime
    imported_by: str
    row_count: int
    is_active: bool


def list_layouts(engine: Engine) -> list[LayoutInfo]:
    """All area layouts, the active one first."""
    with Session(engine) as s:
        rows = s.scalars(select(AreaLayout).order_by(AreaLayout.is_active.desc(), AreaLayout.id)).all()
        return [
            LayoutInfo(r.id, r.code, r.name, r.municipality, r.epsg, r.stand, tuple(r.levels), r.is_active)
            for r in rows
        ]


def get_layout(engine: Engine, code: str | None = None) -> LayoutInfo:
    """The layout with ``code``, or the active one. Raises :class:`NoDataError` if there is none."""
    layouts = list_layouts(engine)
    if not layouts:
        raise NoDataError("Die Datenbank enthält noch keinen Gebietsstand.")
    if code is None:
        return layouts[0]
    for layout in layouts:
        if layout.code == code:
            return layout
    valid = ", ".join(x.code for x in layouts)
    raise KeyError(f"Unbekannter Gebietsstand '{code}'. Vorhanden: {valid}")


def active_versions(engine: Engine, layout_id: int) -> dict[str, VersionInfo]:
    """The active dataset version per data kind for a layout."""
    with Session(engine) as s:
        rows = s.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.layout_id == layout_id, DatasetVersion.is_active.is_(True))
            .order_by(DatasetVersion.id)
        ).all()
        out = {r.kind: _version_info(r) for r in rows}
    return {k: out[k] for k in DATA_KINDS if k in out}


def list_versions(engine: Engine, layout_id: int) -> list[VersionInfo]:
    with Session(engine) as s:
        rows = s.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.layout_id == layout_id)
            .order_by(DatasetVersion.kind, DatasetVersion.id.desc())
        ).all()
        return [_version_info(r) for r in rows]


def _version_info(r: DatasetVersion) -> VersionInfo:
    return VersionInfo(
        r.id,
        r.kind,
        r.label,
        r.source,
        r.licence,
        r.stand,
        r.imported_at,
        r.imported_by,
        r.row_count,
        r.is_active,
    )


def load_areas(engine: Engine, layout_id: int, epsg: int) -> gpd.GeoDataFrame:
    """Areas of a layout with parent ids, geometry in the layout's CRS."""
    child, parent = Area.__table__.alias("c"), Area.__table__.alias("p")
    stmt = (
        select(
            child.c.id.label("area_id"),
            child.c.gebiet_id,
            child.c.name,
            child.c.level,
            parent.c.gebiet_id.label("parent_gebiet_id"),
            child.c.area_m2,
            child.c.geom_wkb,
        )
        .select_from(child.outerjoin(parent, child.c.parent_id == parent.c.id))
        .where(child.c.layout_id == layout_id)
        .order_by(child.c.level, child.c.gebiet_id)
    )
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all())
    if df.empty:
        return gpd.GeoDataFrame(
            columns=["area_id", "gebiet_id", "name", "level", "parent_gebiet_id", "area_m2", "geometry"],
            geometry="geometry",
            crs=epsg,
        )
    geoms = shapely.from_wkb(df.pop("geom_wkb").to_numpy())
    return gpd.GeoDataFrame(df, geometry=geoms, crs=epsg)


def _frame(engine: Engine, stmt) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@dataclass(frozen=True)
class _Fact:
    """How the rows of one data kind (model: :data:`planning.models.FACT_MODELS`) are read."""

    #: Columns of the frame in this order; ``gebiet_id`` is the area's, the others the model's (or
    #: ``via``'s where the model lacks them).
    columns: tuple[str, ...]
    dtypes: dict[str, str] = field(default_factory=dict)
    #: Facilities (and pupils, through their school) may lie outside every area: kept, gebiet_id empty.
    may_lack_area: bool = False
    order_by: str | None = None
    #: The row that carries the area (pupils: their school, joined by ``school_id``).
    via: Any = None


_INT = "Int64"
#: Every data kind with its columns: the loaders and the empty frames of a kind not loaded use these.
_FACTS: dict[str, _Fact] = {
    "bevoelkerung": _Fact(
        ("gebiet_id", "year", "age_from", "age_to", "sex", "count"),
        {"year": "int64", "age_from": "int64", "age_to": _INT, "count": _INT},
    ),
    "geburten": _Fact(("gebiet_id", "year", "count"), {"count": _INT}),
    "kitas": _Fact(
        ("kita_id", "name", "traeger", "traeger_art", "gebiet_id", "lon", "lat", "places_total", "places_u3",
         "places_ue3", "status", "opening_year", "closing_year"),
        dict.fromkeys(("places_total", "places_u3", "places_ue3", "opening_year", "closing_year"), _INT),
        may_lack_area=True,
        order_by="kita_id",
    ),
    "kindertagespflege": _Fact(("gebiet_id", "year", "places"), {"places": _INT}),
    "schulen": _Fact(
        ("schul_id", "name", "schulart", "traeger", "gebiet_id", "lon", "lat", "zuege", "classrooms",
         "ganztag_places", "ganztag_form"),
        {"classrooms": _INT, "ganztag_places": _INT},
        may_lack_area=True,
        order_by="schul_id",
    ),
    "schueler": _Fact(
        ("schul_id", "schulart", "gebiet_id", "school_year", "grade", "pupils", "classes"),
        {"pupils": _INT, "classes": _INT},
        may_lack_area=True,
        via=School,
    ),
    "kennzahlen": _Fact(
        ("gebiet_id", "year", "code", "value", "numerator", "denominator"),
        dict.fromkeys(("value", "numerator", "denominator"), "Float64"),
    ),
    "wohnbau": _Fact(
        ("projekt_id", "name", "gebiet_id", "units", "completion_year", "completion_year_end", "status"),
        may_lack_area=True,
    ),
}  # fmt: skip


def load_facts(engine: Engine, kind: str, version_id: int) -> pd.DataFrame:
    """The rows of one dataset version of ``kind`` with the columns of :data:`_FACTS` (in order)."""
    fact, model = _FACTS[kind], FACT_MODELS[kind]
    holder = fact.via or model

    def column(name: str) -> Any:
        if name == "gebiet_id":
            return Area.gebiet_id
        return getattr(model, name) if hasattr(model, name) else getattr(holder, name)

    stmt = select(*(column(c) for c in fact.columns)).select_from(model)
    if fact.via is not None:
        stmt = stmt.join(fact.via, fact.via.id == model.school_id)
    join = stmt.outerjoin if fact.may_lack_area else stmt.join
    stmt = join(Area, Area.id == holder.area_id).where(model.dataset_version_id == version_id)
    if fact.order_by:
        stmt = stmt.order_by(getattr(model, fact.order_by))
    return _frame(engine, stmt).astype(fact.dtypes)


def _loader(kind: str) -> Callable[[Engine, int], pd.DataFrame]:
    def load(engine: Engine, version_id: int) -> pd.DataFrame:
        return load_facts(engine, kind, version_id)

    load.__doc__ = f"The rows of one dataset version of {kind!r}: " + ", ".join(_FACTS[kind].columns) + "."
    return load


#: One loader per data kind, for callers that name the kind in the function (versions, import service).
load_population = _loader("bevoelkerung")
load_births = _loader("geburten")
load_kitas = _loader("kitas")
load_kindertagespflege = _loader("kindertagespflege")
load_schools = _loader("schulen")
load_enrollment = _loader("schueler")
load_indicator_values = _loader("kennzahlen")
load_housing = _loader("wohnbau")


T = TypeVar("T")


@dataclass(frozen=True)
class PlanningData:
    """All facts of one layout under one set of dataset versions; the input of every computation."""

    layout: LayoutInfo
    versions: dict[str, VersionInfo]
    areas: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Results derived from these facts (see :meth:`derived`); not part of the value, never copied.
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` for this data: the facts never change after loading.

        Why: a decision paper or a district profile asks for the same base figures dozens of
        times (each costs up to a second on a large city). Callers must not mutate the result.
        """
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = compute()
            return value

    def table(self, kind: str) -> pd.DataFrame:
        if kind not in _FACTS:
            raise KeyError(f"Unbekannte Datenart '{kind}'. Gültig: {', '.join(_FACTS)}")
        return self.tables.get(kind, pd.DataFrame(columns=list(_FACTS[kind].columns)))

    @property
    def data_level(self) -> int:
        """The lowest level of the layout, on which the facts are kept."""
        return len(self.layout.levels) - 1

    @property
    def population(self) -> pd.DataFrame:
        return self.table("bevoelkerung")

    @property
    def kitas(self) -> pd.DataFrame:
        return self.table("kitas")

    @property
    def schools(self) -> pd.DataFrame:
        return self.table("schulen")

    @property
    def enrollment(self) -> pd.DataFrame:
        return self.table("schueler")

    @property
    def indicator_values(self) -> pd.DataFrame:
        return self.table("kennzahlen")

    @property
    def kindertagespflege(self) -> pd.DataFrame:
        return self.table("kindertagespflege")


def load_planning_data(
    engine: Engine,
    layout_code: str | None = None,
    version_ids: dict[str, int] | None = None,
    exact: bool = False,
) -> PlanningData:
    """Load a layout and its facts; ``version_ids`` overrides the active version per kind.

    With ``exact`` the data are exactly those versions: a kind not listed is left out (a saved view
    from before a kind's first import shows it as missing, as it was then).
    """
    layout = get_layout(engine, layout_code)
    versions = active_versions(engine, layout.id)
    if exact and version_ids is not None:
        versions = {k: v for k, v in versions.items() if k in version_ids}
    if version_ids:
        all_versions = {v.id: v for v in list_versions(engine, layout.id)}
        for kind, vid in version_ids.items():
            if vid not in all_versions or all_versions[vid].kind != kind:
                raise KeyError(f"Datenstand {vid} gehört nicht zur Datenart '{kind}' dieses Gebietsstands.")
            versions[kind] = all_versions[vid]
    tables = {kind: load_facts(engine, kind, v.id) for kind, v in versions.items() if kind in _FACTS}
    areas = load_areas(engine, layout.id, layout.epsg)
    return PlanningData(layout=layout, versions=versions, areas=areas, tables=tables)
