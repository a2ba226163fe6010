"""One entry point for the CLI and the Import page: read → check → write, with a German report.

:func:`check_file` reads and checks a file, :func:`write_file` writes a checked file as the new
active version (areas as a new Gebietsstand), :func:`import_file` does both. ``python -m planning
check``/``import`` and the Import page call these, so both accept and refuse exactly the same files;
:func:`check_stamp` is what a cached check depends on in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from planning.imports.formats import get_kind
from planning.imports.points import POINT_KINDS, is_vector_file, read_points
from planning.imports.problems import InputFileError, Problem, count
from planning.imports.readers import RawTable, read_table
from planning.imports.shrink import delivery_shrink
from planning.imports.validate import CheckContext, Checked, check_table
from planning.imports.values import NumberFormat
from planning.imports.writer import VersionMeta, hash_file, write_checked
from planning.registry import load_registry, registry_stamp
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
    checked = check_table(
        read, kind, mapping, context_for(engine, layout_code), number_format, crs, options, name or path.name
    )
    if checked.ok:
        checked.shrink = delivery_shrink(engine, checked, layout_code)
        if checked.shrink is not None:
            checked.problems.append(checked.shrink.problem(checked.file_name))
    return checked


@dataclass(frozen=True)
class NewLayout:
    """What an area file's new Gebietsstand is called: code (else from the file name), the
    municipality and the level names from the top (else "Übergeordnetes Gebiet", "Planungsraum")."""

    code: str | None = None
    municipality: str | None = None
    level_names: tuple[str, ...] | None = None

    @classmethod
    def from_text(cls, code: str | None, municipality: str | None, levels: str | None) -> NewLayout:
        """From typed fields: levels as ``"Stadtbezirk, Planungsraum"``; blanks are none."""
        names = tuple(x.strip() for x in (levels or "").split(",") if x.strip())
        return cls((code or "").strip() or None, (municipality or "").strip() or None, names or None)


@dataclass(frozen=True)
class CheckReport:
    """What a check says without the checked rows: kept and shown by the Import page (a few KB,
    where the typed frame of a large file takes hundreds of MB)."""

    kind: str
    rows: int
    problems: tuple[Problem, ...]
    #: :class:`planning.imports.shrink.Shrink` when the delivery needs a confirmation
    shrink: Any = None

    @classmethod
    def of(cls, checked: Checked) -> CheckReport:
        return cls(checked.kind, len(checked.frame), tuple(checked.problems), checked.shrink)

    @property
    def error_count(self) -> int:
        return count(list(self.problems), "Fehler")

    @property
    def warning_count(self) -> int:
        return count(list(self.problems), "Warnung")

    @property
    def ok(self) -> bool:
        return not any(p.blocking for p in self.problems)


def with_file(meta: VersionMeta, path: Path, name: str | None = None) -> VersionMeta:
    """``meta`` with the file's name and content hash where it does not state them."""
    return replace(
        meta, file_name=meta.file_name or name or path.name, file_hash=meta.file_hash or hash_file(path)
    )


def write_file(
    engine: Engine,
    checked: Checked,
    meta: VersionMeta,
    layout_code: str | None = None,
    *,
    new_layout: NewLayout | None = None,
    allow_same_file: bool = False,
    confirm_shrink: bool = False,
) -> int:
    """Write a checked file as the new active dataset version; returns its id.

    Areas become a new Gebietsstand (``new_layout``); every other kind is written onto
    ``layout_code`` (default: the active one). Raises :class:`InputFileError` (errors, a file
    imported before, a shrunken delivery without ``confirm_shrink``) and leaves the database as it was.
    """
    if not checked.ok:
        raise InputFileError(checked.errors)
    if get_kind(checked.kind).geometry:
        from planning.imports.areas import write_areas

        layout = new_layout or NewLayout()
        return write_areas(
            engine,
            checked,
            meta,
            layout_code=layout.code,
            municipality=layout.municipality,
            level_names=layout.level_names,
            allow_same_file=allow_same_file,
        )
    return write_checked(engine, checked, meta, layout_code, allow_same_file, confirm_shrink=confirm_shrink)


def check_stamp(engine: Engine, layout_code: str | None = None) -> tuple[Any, ...]:
    """What a check of a file depends on in the database: the layout, its active versions (areas,
    schools, the delivery a new one replaces) and the indicator register. A cached check is valid
    while this stays the same; an import changes it."""
    try:
        layout = get_layout(engine, layout_code)
    except NoDataError:
        return (None, (), registry_stamp(engine))
    versions = tuple(sorted((k, v.id) for k, v in active_versions(engine, layout.id).items()))
    return (layout.id, versions, registry_stamp(engine))


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
    new_layout: NewLayout | None = None,
) -> tuple[int, Checked]:
    """Check and, if there is no error, write the file as a new active dataset version.

    For areas ``new_layout`` names the new Gebietsstand (else ``layout_code`` is its code)."""
    checked = check_file(engine, kind, path, mapping, layout_code, name, sheet, number_format, crs, options)
    if not checked.ok:
        raise InputFileError(checked.problems)
    geometry = get_kind(kind).geometry
    vid = write_file(
        engine,
        checked,
        with_file(meta, path, name),
        None if geometry else layout_code,
        new_layout=(new_layout or NewLayout(layout_code)) if geometry else None,
        allow_same_file=allow_same_file,
        confirm_shrink=confirm_shrink,
    )
    return vid, checked
