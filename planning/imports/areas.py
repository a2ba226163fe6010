"""Import of area geometries (Gebiete) as a new area layout (Gebietsstand).

The file's features become the data level; an optional ``ober_gebiet_id`` column builds the level
above by dissolving (its name from ``ober_name`` if present). Geometries are kept in a metric CRS:
ETRS89/UTM as delivered, or UTM 32/33 chosen by longitude when the file is in degrees.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from geodata.io import VectorFileError, read_vector
from planning.db import session_or_scope
from planning.imports.area_coverage import coverage_problems
from planning.imports.area_upper import id_texts, upper_from_file
from planning.imports.formats import get_kind
from planning.imports.problems import InputFileError, Problem
from planning.imports.validate import Checked, normalise_header
from planning.imports.values import is_formula
from planning.imports.writer import VersionMeta
from planning.models import Area, AreaLayout, DatasetVersion

#: Rough bounding box of Germany in WGS84 (with margin): a layer outside it has a wrong CRS.
GERMANY_BOUNDS = (5.0, 46.8, 15.8, 55.4)


def metric_crs_for(gdf: gpd.GeoDataFrame) -> int:
    """The layer's own CRS if metric, else ETRS89/UTM 32 (west of 12° E) or 33 (east)."""
    if gdf.crs is not None and not gdf.crs.is_geographic:
        epsg = gdf.crs.to_epsg()
        if epsg:
            return int(epsg)
    lon = gdf.to_crs(4326).geometry.union_all().centroid.x
    return 25832 if lon < 12 else 25833


def check_area_file(
    path: Path,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> Checked:
    name = name or path.name
    try:
        gdf = read_vector(path, name)
    except VectorFileError as exc:
        return Checked(
            "gebiete", _empty_areas(), [Problem("Fehler", str(exc).split(": ", 1)[-1], name)], name
        )
    return check_area_frame(gdf, name, mapping, options)


def _empty_areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        columns=[*get_kind("gebiete").field_names, "_line", "geometry"], geometry="geometry"
    )


def check_area_frame(
    gdf: gpd.GeoDataFrame,
    name: str,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> Checked:
    """Validate area features (already read, with CRS) against the canonical ``gebiete`` format.

    Profile option ``ober_aus_praefix: N``: without a parent-id column, the upper level is built
    from the first N characters of the id (``0101`` → ``01``).
    """
    spec = get_kind("gebiete")
    empty = _empty_areas()
    if gdf.crs is None:
        return Checked(
            "gebiete", empty, [Problem("Fehler", "Kein Koordinatenbezugssystem angegeben.", name)], name
        )
    problems: list[Problem] = []
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    resolved: dict[str, str] = {}
    for source, target in (mapping or {}).items():
        if source in columns:
            resolved[target] = source
    by_norm = {normalise_header(c): c for c in columns}
    for f in [*spec.field_names, "ober_name"]:
        if f not in resolved and f in by_norm:
            resolved[f] = by_norm[f]
    missing = [f for f in spec.required if f not in resolved]
    if missing:
        problems.append(
            Problem(
                "Fehler",
                f"Pflichtattribut(e) fehlen: {', '.join(missing)}. Vorhanden: "
                f"{', '.join(columns)}. Bitte zuordnen.",
                name,
            )
        )
        return Checked("gebiete", empty, problems, name)
    out = gpd.GeoDataFrame(
        {
            "gebiet_id": id_texts(gdf[resolved["gebiet_id"]]),
            "name": gdf[resolved["name"]].astype("string").str.strip(),
            "ober_gebiet_id": id_texts(gdf[resolved["ober_gebiet_id"]])
            if "ober_gebiet_id" in resolved
            else None,
            "ober_name": gdf[resolved["ober_name"]].astype("string") if "ober_name" in resolved else None,
            "_line": range(1, len(gdf) + 1),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    )
    upper_file = str((options or {}).get("ober_datei") or "").strip()
    if upper_file and "ober_gebiet_id" not in resolved:
        upper_problems = upper_from_file(out, upper_file, options or {}, name)
        problems += upper_problems
        if any(p.severity == "Fehler" for p in upper_problems):
            return Checked("gebiete", empty, problems, name)
    prefix = int((options or {}).get("ober_aus_praefix") or 0)
    if prefix and "ober_gebiet_id" not in resolved and not upper_file:
        ids = out["gebiet_id"].astype("string")
        short = ids.str.len() <= prefix
        if short.any():
            line = int(out.loc[short.fillna(True), "_line"].iloc[0])
            problems.append(
                Problem(
                    "Fehler",
                    f"Übergeordnete Ebene aus den ersten {prefix} Zeichen der Kennung: die Kennung "
                    f"„{ids[short.fillna(True)].iloc[0]}“ ist nicht länger als {prefix} Zeichen.",
                    name,
                    line,
                    resolved["gebiet_id"],
                )
            )
        else:
            out["ober_gebiet_id"] = ids.str[:prefix].astype(object)
            problems.append(
                Problem(
                    "Hinweis",
                    f"Übergeordnete Ebene aus den ersten {prefix} Zeichen der Kennung: "
                    f"{out['ober_gebiet_id'].nunique()} Gebiete.",
                    name,
                )
            )
    if pd.api.types.is_numeric_dtype(gdf[resolved["gebiet_id"]]):
        problems.append(
            Problem(
                "Warnung",
                "Die Gebietskennungen sind als Zahlen gespeichert; führende Nullen "
                "könnten fehlen. Bitte mit den anderen Dateien abgleichen.",
                name,
                column=resolved["gebiet_id"],
            )
        )
    col_id = resolved["gebiet_id"]
    for i, (gid, nm, geom) in enumerate(
        zip(out["gebiet_id"], out["name"], out.geometry, strict=True), start=1
    ):
        if gid is None or pd.isna(gid):
            problems.append(Problem("Fehler", "Gebietskennung fehlt.", name, i, col_id))
        if nm is None or pd.isna(nm) or not str(nm):
            problems.append(Problem("Fehler", "Name fehlt.", name, i, resolved["name"]))
        elif is_formula(str(nm)):
            problems.append(
                Problem("Fehler", f"„{nm}“ sieht aus wie eine Tabellenformel.", name, i, resolved["name"])
            )
        if geom is None or geom.is_empty:
            problems.append(Problem("Fehler", "Geometrie fehlt.", name, i))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem("Fehler", f"Geometrie ist {geom.geom_type}, erwartet wird eine Fläche.", name, i)
            )
    dups = out[out["gebiet_id"].duplicated(keep=False) & out["gebiet_id"].notna()]
    for gid, grp in dups.groupby("gebiet_id"):
        problems.append(
            Problem(
                "Fehler",
                f"Gebietskennung „{gid}“ kommt mehrfach vor (Zeilen {', '.join(map(str, grp['_line']))}).",
                name,
                int(grp["_line"].iloc[-1]),
                col_id,
            )
        )
    if any(p.blocking for p in problems):
        return Checked("gebiete", out, problems, name)
    invalid = ~out.geometry.is_valid
    for line in out.loc[invalid, "_line"]:
        problems.append(
            Problem(
                "Warnung",
                "Ungültige Geometrie (z. B. Selbstüberschneidung) wurde repariert.",
                name,
                int(line),
            )
        )
    if invalid.any():
        out.loc[invalid, "geometry"] = shapely.make_valid(
            out.geometry[invalid].to_numpy(), method="structure"
        )
    minx, miny, maxx, maxy = out.to_crs(4326).total_bounds
    gx0, gy0, gx1, gy1 = GERMANY_BOUNDS
    if not (gx0 <= minx and maxx <= gx1 and gy0 <= miny and maxy <= gy1):
        problems.append(
            Problem(
                "Fehler",
                f"Die Gebiete liegen nicht in Deutschland (Ausdehnung {minx:.2f}…{maxx:.2f}° O, "
                f"{miny:.2f}…{maxy:.2f}° N). Ist das Koordinatensystem ({out.crs.to_string()}) "
                "richtig angegeben?",
                name,
            )
        )
        return Checked("gebiete", out, problems, name)
    out = out.to_crs(metric_crs_for(out))
    problems.extend(coverage_problems(out, name))
    if "ober_gebiet_id" in resolved:
        orphans = out["ober_gebiet_id"].isna()
        for line in out.loc[orphans, "_line"]:
            problems.append(
                Problem(
                    "Warnung",
                    "Kein übergeordnetes Gebiet angegeben.",
                    name,
                    int(line),
                    resolved["ober_gebiet_id"],
                )
            )
    return Checked("gebiete", out, problems, name)


def _layout_code(name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", normalise_header(Path(name).stem)).strip("-") or "gebiete"
    return f"{stem}-{dt.date.today():%Y%m%d}"


def write_areas(
    engine: Engine,
    checked: Checked,
    meta: VersionMeta,
    layout_code: str | None = None,
    municipality: str | None = None,
    level_names: tuple[str, ...] | None = None,
    allow_same_file: bool = False,
    activate: bool = True,
    layout_name: str | None = None,
    session: Session | None = None,
) -> int:
    """Write checked areas as a new layout (and its 'gebiete' version); returns the version id."""
    if not checked.ok:
        raise InputFileError(checked.errors)
    gdf: gpd.GeoDataFrame = checked.frame
    two_levels = gdf["ober_gebiet_id"].notna().any()
    levels = level_names or (("Übergeordnetes Gebiet", "Planungsraum") if two_levels else ("Planungsraum",))
    if len(levels) != (2 if two_levels else 1):
        raise ValueError("Anzahl der Ebenennamen passt nicht zu den Daten.")
    code = layout_code or _layout_code(meta.file_name or checked.file_name)
    with session_or_scope(engine, session) as s:
        if s.scalars(select(AreaLayout).where(AreaLayout.code == code)).first() is not None:
            raise InputFileError(
                Problem(
                    "Fehler",
                    f"Den Gebietsstand „{code}“ gibt es schon. Bitte einen neuen Code "
                    "wählen (z. B. mit Jahr).",
                )
            )
        same = (
            s.scalars(
                select(DatasetVersion).where(
                    DatasetVersion.kind == "gebiete", DatasetVersion.file_hash == meta.file_hash
                )
            ).first()
            if meta.file_hash
            else None
        )
        if same is not None and not allow_same_file:
            raise InputFileError(
                Problem(
                    "Fehler",
                    f"Diese Gebietsdatei wurde bereits am {same.imported_at:%d.%m.%Y} "
                    f"importiert (Datenstand Nr. {same.id}).",
                    meta.file_name,
                )
            )
        layout = AreaLayout(
            code=code,
            name=layout_name or meta.label or f"Gebietsstand {code}",
            municipality=municipality or "Kommune",
            epsg=int(gdf.crs.to_epsg()),
            stand=meta.stand,
            level_names="|".join(levels),
            is_active=False,
        )
        s.add(layout)
        s.flush()
        parents: dict[str, int] = {}
        if two_levels:
            upper = gdf[gdf["ober_gebiet_id"].notna()].dissolve(
                by="ober_gebiet_id", aggfunc={"ober_name": "first"}
            )
            for pid, row in upper.iterrows():
                nm = row["ober_name"] if isinstance(row["ober_name"], str) else str(pid)
                area = Area(
                    layout_id=layout.id,
                    gebiet_id=str(pid),
                    name=nm,
                    level=0,
                    geom_wkb=shapely.to_wkb(row.geometry),
                    area_m2=float(row.geometry.area),
                )
                s.add(area)
                s.flush()
                parents[str(pid)] = area.id
        level = 1 if two_levels else 0
        s.add_all(
            [
                Area(
                    layout_id=layout.id,
                    gebiet_id=r.gebiet_id,
                    name=r.name,
                    level=level,
                    parent_id=parents.get(r.ober_gebiet_id) if isinstance(r.ober_gebiet_id, str) else None,
                    geom_wkb=shapely.to_wkb(r.geometry),
                    area_m2=float(r.geometry.area),
                )
                for r in gdf.itertuples()
            ]
        )
        version = DatasetVersion(
            kind="gebiete",
            layout_id=layout.id,
            label=meta.label or layout.name,
            source=meta.source,
            licence=meta.licence,
            stand=meta.stand,
            file_name=meta.file_name,
            file_hash=meta.file_hash,
            row_count=len(gdf),
            imported_by=meta.imported_by,
            is_active=True,
            note=meta.note,
        )
        s.add(version)
        if activate:
            s.execute(update(AreaLayout).where(AreaLayout.id != layout.id).values(is_active=False))
            layout.is_active = True
        s.flush()
        return version.id
