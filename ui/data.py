"""Cached data access for the pages.

Every cached function is keyed on the database URL, the layout code and the ids of the dataset
versions in use, so an import (new version) invalidates exactly what it changes and two sessions
looking at the same data share one cache entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from geodata.simplify import simplify_layer, to_geojson
from planning import indicators as ind
from planning import prepared
from planning.backtest import backtest_data
from planning.config import resolve_db_url
from planning.db import make_engine, migrate, write_generation
from planning.plan import PlanResult, compute_plan
from planning.registry import Registry, load_registry, registry_stamp
from planning.repository import (
    LayoutInfo,
    PlanningData,
    VersionInfo,
    active_versions,
    list_layouts,
    load_planning_data,
)
from planning.scenarios import Scenario, get_scenario, list_scenarios
from planning.steering import frozen_scenario, scenario_record
from planning.summary import city_summary

VersionKey = tuple[tuple[str, int], ...]


def db_url() -> str:
    """``PLANUNGSATLAS_DB_URL``, then ``[database] url`` in secrets.toml, then the SQLite default."""
    return resolve_db_url()


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    return engine_for(db_url())


#: How long "what is current" (layouts, active versions, register state) may be taken from memory:
#: a write in this process shows at once (the key has the write counter), one in another app
#: process of a shared installation within this many seconds. Saves three queries per rerun.
#: (``generation`` is part of the key; Streamlit would ignore a parameter named with a leading _.)
CURRENT_TTL_S = 2


@st.cache_data(ttl=CURRENT_TTL_S, show_spinner=False)
def _layouts(url: str, generation: int) -> list[LayoutInfo]:
    return list_layouts(engine_for(url))


#: The app opens on the finest area level with at most this many areas: a federal state's 11,000
#: Planungsräume open on its Gemeinden (their map draws in seconds), the finer level one click away.
DENSE_AREAS = 2500


def default_level(data: PlanningData) -> int:
    """The finest level with at most :data:`DENSE_AREAS` areas (else the coarsest level)."""

    def pick() -> int:
        counts = data.areas["level"].value_counts()
        fitting = [int(lvl) for lvl in counts.index if counts[lvl] <= DENSE_AREAS]
        return max(fitting) if fitting else int(counts.index.min())

    return int(data.derived(("default_level",), pick))


def layouts() -> list[LayoutInfo]:
    return _layouts(db_url(), write_generation())


def as_version_key(versions: Mapping[str, int]) -> VersionKey:
    """Versions (domain → version id) as the cache key: sorted, so the active versions and a saved
    view's pinned copy of the same versions share one cached load (and plan), whatever order they
    came in (a meeting TOP whose pinned versions came back from the database in another order
    loaded Berlin's facts a second time and recomputed the plan: 2.3 s for its first visitor)."""
    return tuple(sorted((str(k), int(v)) for k, v in versions.items()))


@st.cache_data(ttl=CURRENT_TTL_S, show_spinner=False)
def _version_key(url: str, layout_id: int, generation: int) -> VersionKey:
    return as_version_key({k: v.id for k, v in active_versions(engine_for(url), layout_id).items()})


def version_key(layout_id: int) -> VersionKey:
    """The active versions of a layout as a small hashable cache key."""
    return _version_key(db_url(), layout_id, write_generation())


@st.cache_resource(show_spinner="Lade Daten …", max_entries=8)
def planning_data(url: str, layout_code: str, versions: VersionKey) -> PlanningData:
    """All facts of a layout under its active versions, loaded once and shared by every session.

    A resource, not a copy per call: pages and domain code only read it (they build new frames).
    A large layout comes from the persisted cache of prepared frames (``planning.prepared``) when
    another process has loaded the same versions before.
    """
    eng = engine_for(url)
    return prepared.cached(
        prepared.data_key(eng, url, layout_code, dict(versions)),
        lambda: load_planning_data(eng, layout_code, dict(versions), exact=True),
    )


def current_data(layout: LayoutInfo) -> PlanningData:
    return planning_data(db_url(), layout.code, version_key(layout.id))


@st.cache_data(show_spinner=False, max_entries=8)
def registry(url: str, stamp: tuple[Any, ...]) -> Registry:
    """Added indicators, targets and sets; ``stamp`` changes with every save, so edits show at once."""
    return load_registry(engine_for(url))


@st.cache_data(ttl=CURRENT_TTL_S, show_spinner=False)
def _registry_stamp(url: str, generation: int) -> tuple[Any, ...]:
    return registry_stamp(engine_for(url))


def current_registry() -> tuple[Registry, tuple[Any, ...]]:
    url = db_url()
    stamp = _registry_stamp(url, write_generation())
    return registry(url, stamp), stamp


def _indicator(url: str, code: str, stamp: tuple[Any, ...] | None) -> ind.Indicator:
    if code in ind.INDICATORS:
        return ind.INDICATORS[code]
    return registry(url, stamp if stamp is not None else registry_stamp(engine_for(url))).indicator(code)


#: Built-in indicators' tables prepared by :func:`prepare_indicator_tables`, the latest per database
#: URL: ``(layout code, versions, level)`` and code → (district table, city series).
_PREPARED_TABLES: dict[str, tuple[tuple[Any, ...], dict[str, tuple[pd.DataFrame, pd.DataFrame]]]] = {}


def prepare_indicator_tables(url: str, layout_code: str, versions: VersionKey, level: int) -> int:
    """Every built-in indicator with data: its protected table on ``level`` and its city series,
    computed once (or read from the persisted cache of prepared frames) for :func:`indicator_table`
    and :func:`city_series`. Returns how many. Why: the Stadtteilprofil reads them all; over 11,008
    areas they took 7 s on the first visit after each start (done by ``ui.warmup`` at start).

    Only built-in indicators: their definitions are code (in the cache key's code version); added
    ones live in the register and are computed when asked for."""
    data = planning_data(url, layout_code, versions)

    def compute() -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        chosen = [i for i in ind.available_indicators(data) if i.code in ind.INDICATORS]
        return {i.code: (ind.indicator_table(data, i, level), ind.city_series(data, i)) for i in chosen}

    key = (*prepared.data_key(engine_for(url), url, layout_code, dict(versions)), "indicator_tables", level)
    tables = prepared.cached(key, compute)
    _PREPARED_TABLES[url] = ((layout_code, versions, level), tables)
    return len(tables)


def _prepared_tables(
    url: str, layout_code: str, versions: VersionKey, code: str, level: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The prepared (table, city series) of a built-in indicator if prepared for exactly these data
    (and ``level``, where the table is asked for; the city series is the same on every level)."""
    found = _PREPARED_TABLES.get(url)
    if found is None or code not in ind.INDICATORS:
        return None
    (layout, vers, lvl), tables = found
    if (layout, vers) != (layout_code, versions) or level not in (None, lvl):
        return None
    return tables.get(code)


@st.cache_data(show_spinner=False, max_entries=128)
def indicator_table(
    url: str,
    layout_code: str,
    versions: VersionKey,
    code: str,
    level: int,
    stamp: tuple[Any, ...] | None = None,
) -> pd.DataFrame:
    """The protected district table (see ``planning.indicators.indicator_table``)."""
    hit = _prepared_tables(url, layout_code, versions, code, level)
    if hit is not None:
        return hit[0]
    data = planning_data(url, layout_code, versions)
    return ind.indicator_table(data, _indicator(url, code, stamp), level)


@st.cache_data(show_spinner=False, max_entries=128)
def city_series(
    url: str, layout_code: str, versions: VersionKey, code: str, stamp: tuple[Any, ...] | None = None
) -> pd.DataFrame:
    hit = _prepared_tables(url, layout_code, versions, code)
    if hit is not None:
        return hit[1]
    return ind.city_series(planning_data(url, layout_code, versions), _indicator(url, code, stamp))


@st.cache_data(show_spinner=False, max_entries=32)
def export_files(
    url: str,
    layout_code: str,
    versions: VersionKey,
    code: str,
    year: int,
    level: int,
    stamp: tuple[Any, ...] | None = None,
) -> tuple[bytes, bytes]:
    """CSV and XLSX of one district table (``planning.exports``), built once per data and register state."""
    from planning.exports import csv_bytes, district_export, notes, xlsx_bytes

    data = planning_data(url, layout_code, versions)
    indicator = _indicator(url, code, stamp)
    target = registry(url, stamp if stamp is not None else registry_stamp(engine_for(url))).target(code)
    frame = district_export(data, indicator, year, level, target)
    return csv_bytes(frame), xlsx_bytes(frame, notes(data, indicator, target))


@st.cache_data(show_spinner=False, max_entries=16)
def summary(url: str, layout_code: str, versions: VersionKey, year: int) -> dict[str, Any]:
    """The city's key figures of ``year`` (the Lagebild's first row). Over 11,008 areas they take
    about 10 s (age counts of every area), so they are persisted like the facts and the plan."""
    return prepared.cached(
        ("summary", *prepared.data_key(engine_for(url), url, layout_code, dict(versions)), year),
        lambda: city_summary(planning_data(url, layout_code, versions), year),
    )


#: Streamlit serves ``<app folder>/static`` at ``app/static/`` (``enableStaticServing``).
STATIC_GEO = Path(__file__).resolve().parent.parent / "static" / "geo"


def _publish(geojson: dict[str, Any], name: str) -> str | None:
    """Write the layer once as a static file named by its content hash; return its relative URL.

    The browser fetches it once and plotly keeps it by URL, so a rerun sends only the figure's
    values, not the geometry (hundreds of KB for 542 areas). Returns None if the folder is not
    writable (the figure then embeds the GeoJSON).
    """
    body = json.dumps(geojson, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()[:16]
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    target = STATIC_GEO / f"{safe}-{digest}.geojson"
    try:
        if not target.exists():
            STATIC_GEO.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(body)
            tmp.replace(target)  # atomic: parallel app processes never see half a file
    except OSError:
        return None
    # Relative to the page URL, so it also works behind a reverse proxy with a base path.
    return f"app/static/geo/{target.name}"


@st.cache_resource(show_spinner="Bereite Karte vor …", max_entries=16)
def map_layer(
    url: str, layout_code: str, versions: VersionKey, level: int
) -> tuple[dict[str, Any] | str, tuple[float, ...]]:
    """The simplified layer of one level (a static-file URL, else GeoJSON) and its WGS84 bounds.

    Computed once per layout version and shared by all sessions; a large layer (11,008 areas:
    seconds of simplification) also comes from the persisted cache of prepared frames.
    """

    def simplified() -> tuple[dict[str, Any], tuple[float, ...]]:
        areas: gpd.GeoDataFrame = planning_data(url, layout_code, versions).areas
        layer = simplify_layer(areas[areas["level"] == level][["gebiet_id", "name", "geometry"]])
        return to_geojson(layer), tuple(float(b) for b in layer.to_crs(4326).total_bounds)

    key = (*prepared.data_key(engine_for(url), url, layout_code, dict(versions)), "layer", level)
    geojson, bounds = prepared.cached(key, simplified)
    return _publish(geojson, f"{layout_code}-{level}") or geojson, bounds


@st.cache_resource(show_spinner="Berechne Prognose und Bedarf …", max_entries=32)
def plan_result(
    url: str, layout_code: str, versions: VersionKey, scenario: str, revision: int, frozen: str = ""
) -> PlanResult:
    """The plan of one scenario, shared by all sessions (never mutated by pages).

    Keyed on the scenario's revision too, so saving a scenario recomputes exactly its plan.
    ``frozen`` is the scenario's JSON from a saved view: then that content is planned, not the
    scenario as stored today.
    """
    data = planning_data(url, layout_code, versions)
    if frozen:
        chosen = frozen_scenario(json.loads(frozen))
    else:
        chosen = get_scenario(engine_for(url), data.layout.id, scenario)
    # Persisted by the scenario's content: a saved edit is another entry, never the old plan.
    key = (
        *prepared.data_key(engine_for(url), url, layout_code, dict(versions)),
        "plan",
        scenario_record(chosen),
    )
    return prepared.cached(key, lambda: compute_plan(data, chosen))


def scenarios(layout: LayoutInfo) -> list[Scenario]:
    return list_scenarios(engine(), layout.id)


@st.cache_resource(show_spinner="Rechne die Prognose zurück …", max_entries=16)
def backtest_result(
    url: str, layout_code: str, versions: VersionKey, base_year: int | None
) -> dict[str, Any]:
    key = (*prepared.data_key(engine_for(url), url, layout_code, dict(versions)), "backtest", base_year)
    return prepared.cached(key, lambda: backtest_data(planning_data(url, layout_code, versions), base_year))


def versions_used(data: PlanningData, kinds: tuple[str, ...]) -> list[VersionInfo]:
    return [data.versions[k] for k in dict.fromkeys(kinds) if k in data.versions]
