"""One entry point for the CLI and the Daten page: read → check → write, with a German report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from planning.imports.formats import get_kind
from planning.imports.points import POINT_KINDS, is_vector_file, read_points
from planning.imports.problems import InputFileError
from planning.imports.readers import RawTable, read_table
from planning.imports.shrink import delivery_shrink
from planning.imports.validate import CheckContext, Checked, check_read
from planning.imports.values import NumberFormat
from planning.imports.writer import VersionMeta, hash_file, write_checked
from planning.registry import load_registry
from planning.repository import NoDataError, active_versions, get_layout, load_areas, load_schools


def context_for(engine: Engine, layout_code: str | None = None) -> CheckContext:
    """What validation needs to know from the database (areas, schools of the active versions)."""
    indicators = load_registry(engine).indicators
    computed = {
        code: (ind.label_de, ind.sources) for code, ind in indicators.items() if ind.compute is not None
    }
    try:
        layout = get_layout(engine, layout_code)
    except NoDataError:
        return CheckContext(indicator_codes=frozenset(indicators), computed_indicators=computed)
    areas = load_areas(engine, layout.id, layout.epsg)
    data_level = len(layout.levels) - 1
    versions = active_versions(engine, layout.id)
    schools = load_schools(engine, versions["schulen"].id) if "schulen" in versions else None
    return CheckContext(
        area_ids=frozenset(areas["gebiet_id"]),
        areas=areas[areas["level"] == data_level][["gebiet_id", "geometry"]],
        school_ids=frozenset(schools["schul_id"]) if schools is not None else frozenset(),
        indicator_codes=frozenset(indicators),
        computed_indicators=computed,
        children=_children(areas, data_level),
    )


def _children(areas: pd.DataFrame, data_level: int) -> dict[str, frozenset[str]]:
    """Every upper-level area → the data-level areas below it (through all levels)."""
    parent = dict(zip(areas["gebiet_id"], areas["parent_gebiet_id"], strict=True))
    below: dict[str, set[str]] = {}
    for gid in areas.loc[areas["level"] == data_level, "gebiet_id"]:
        up = parent.get(gid)
        while isinstance(up, str):
            below.setdefault(up, set()).add(gid)
            up = parent.get(up)
    return {k: frozenset(v) for k, v in below.items()}


def check_file(
    engine: Engine,
    kind: str,
    path: Path,
    mapping: dict[str, str] | None = None,
    layout_code: str | None = None,
    name: str | None = None,
    sheet: str | None = None,
    number_format: NumberFormat | None = None,
    crs: str | None = None,
    options: dict[str, Any] | None = None,
) -> Checked:
    """Read and validate a file; unreadable files come back as a Checked with the error.

    ``number_format`` (``de``/``en``) answers the check's question for columns whose numbers are
    ambiguous (only values like ``1.234``); ``crs`` is the coordinate system of x/y columns.
    Kitas and schools may also come as geodata (GeoJSON, Esri JSON, zipped Shapefile, GeoPackage).
    ``options`` are the mapping profile's options (:data:`planning.imports.shape.OPTIONS`).
    """
    spec = get_kind(kind)
    if spec.geometry:
        from planning.imports.areas import check_area_file

        return check_area_file(path, name=name, mapping=mapping, options=options)
    sheet = sheet or (options or {}).get("sheet")

    def read() -> RawTable:
        if kind in POINT_KINDS and is_vector_file(path, name):
            return read_points(path, name)
        return read_table(path, name=name, sheet=sheet, compact=True)

    # The check reads the file itself, so the table's text is let go once its columns are typed.
    checked = check_read(
        read, kind, mapping, context_for(engine, layout_code), number_format, crs, options, name or path.name
    )
    if checked.ok:
        checked.shrink = delivery_shrink(engine, checked, layout_code)
        if checked.shrink is not None:
            checked.problems.append(checked.shrink.problem(checked.file_name))
    return checked


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    meta: VersionMeta,
    mapping: dict[str, str] | None = None,
    layout_code: str | None = None,
    name: str | None = None,
    sheet: str | None = None,
    allow_same_file: bool = False,
    confirm_shrink: bool = False,
    number_format: NumberFormat | None = None,
    crs: str | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[int, Checked]:
    """Check and, if there is no error, write the file as a new active dataset version."""
    checked = check_file(engine, kind, path, mapping, layout_code, name, sheet, number_format, crs, options)
    if not checked.ok:
        raise InputFileError(checked.problems)
    meta = replace(
        meta, file_name=meta.file_name or name or path.name, file_hash=meta.file_hash or hash_file(path)
    )
    if get_kind(kind).geometry:
        from planning.imports.areas import write_areas

        return write_areas(
            engine, checked, meta, layout_code=layout_code, allow_same_file=allow_same_file
        ), checked
    return write_checked(
        engine, checked, meta, layout_code, allow_same_file, confirm_shrink=confirm_shrink
    ), checked
