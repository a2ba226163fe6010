"""A synthetic federal state for benchmarks: ``copies`` × the demo city as one area layout.

Why: the app must stay usable for a Land-wide layout, not just one city. 344 copies of the demo
city (Weidenstadt, 32 Planungsräume) give 11,008 Planungsräume, about as many areas as Germany has
Gemeinden; ``bench/run.py`` measures import, forecast, pages and the map on it (``gross_11000``).

The layout ``gross`` has three levels: Kreis (8 consecutive copies each, ids ``K001`` …), Gemeinde
(one per copy, id ``0000`` …, geometry the union of its Planungsräume) and Planungsraum (the demo's
Planungsräume, ids ``0000-0101`` …). The demo's Stadtbezirke are dropped. Copies lie on a square
grid (spacing: the demo's extent plus a gap, so no two overlap), a Kreis is a block of 4 × 2 copies,
and the whole grid sits inside Germany's part of EPSG:25832. Every fact table of the demo is copied
per Gemeinde with prefixed ids (``gebiet_id``, ``kita_id``, ``schul_id``, ``projekt_id``); Kita and
school coordinates move with their Gemeinde.

Speed: the demo is generated once and the rows go in as bulk ``insert()`` statements in chunks (no
ORM object per row). Like :func:`planning.demo.build_demo`, the layout and one dataset version per
kind are ORM objects, so the write check of :mod:`planning.audit` runs for the acting person (the
import right; the command line acts as ``SYSTEM``) and the trail records the layout and each
version's import with its row count once; the bulk fact rows are covered by their versions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import cast

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.orm import Session

from planning.db import session_scope
from planning.demo.generate import DemoData, generate_demo
from planning.demo.write import _FACTS, _SCHOOL_COLUMNS, _records, demo_versions
from planning.models import FACT_MODELS, Area, AreaLayout, Base, Enrollment, School

LAYOUT_CODE = "gross"
MUNICIPALITY = "Synthetisches Land"
SOURCE = "Synthetischer Benchmark-Datensatz"
LICENCE = "CC0 1.0"
EPSG = 25832
#: Copies per Kreis, laid out as a block of KREIS_COLS × KREIS_ROWS copies.
KREIS_SIZE, KREIS_COLS, KREIS_ROWS = 8, 4, 2
#: Free space between two neighbouring copies (m).
GAP_M = 1_000.0
#: Centre of the grid and the box it must stay in: Germany in EPSG:25832 (x, y in m).
CENTRE = (550_000.0, 5_650_000.0)
GERMANY = (350_000.0, 5_400_000.0, 750_000.0, 5_900_000.0)
#: Rows per INSERT statement (executemany); keeps memory flat for millions of rows.
CHUNK = 20_000
#: Fact kinds with their own id column, prefixed per copy like gebiet_id.
_ID_COLUMNS = {"kitas": "kita_id", "wohnbau": "projekt_id"}
_WITH_COORDINATES = ("kitas",)


def grid_offsets(copies: int, bounds: tuple[float, float, float, float]) -> tuple[np.ndarray, float]:
    """Shift (dx, dy) in metres per copy, and the grid spacing.

    Copy ``i`` belongs to Kreis ``i // 8``; a Kreis is a 4 × 2 block and the Kreise fill a grid
    about as wide as high. Raises ``ValueError`` if the grid leaves Germany's coordinate box.
    """
    minx, miny, maxx, maxy = bounds
    spacing = math.ceil((max(maxx - minx, maxy - miny) + GAP_M) / 1_000.0) * 1_000.0
    kreise = math.ceil(copies / KREIS_SIZE)
    kreis_cols = max(1, math.ceil(math.sqrt(kreise * KREIS_ROWS / KREIS_COLS)))
    kreis_rows = math.ceil(kreise / kreis_cols)
    i = np.arange(copies)
    k, j = i // KREIS_SIZE, i % KREIS_SIZE
    col = (k % kreis_cols) * KREIS_COLS + j % KREIS_COLS
    row = (k // kreis_cols) * KREIS_ROWS + j // KREIS_COLS
    width, height = kreis_cols * KREIS_COLS * spacing, kreis_rows * KREIS_ROWS * spacing
    left, top = CENTRE[0] - width / 2, CENTRE[1] + height / 2  # row 0 in the north
    if left < GERMANY[0] or top - height < GERMANY[1] or left + width > GERMANY[2] or top > GERMANY[3]:
        raise ValueError(f"{copies} Kopien passen nicht in das Koordinatenfeld Deutschlands (EPSG:25832).")
    dx = np.round(left + col * spacing - minx)
    dy = np.round(top - (row + 1) * spacing - miny)
    return np.column_stack([dx, dy]), spacing


def _bulk(s: Session, model: type[Base], rows: Iterable[dict[str, object]]) -> int:
    """Insert ``rows`` in chunks of :data:`CHUNK` (one executemany each); returns the row count.

    A Core insert into the model's table, in the session's transaction: the ORM bulk path would
    leave out NULL values and split the chunk at every row whose NULLs differ (thousands of
    statements); here every row has all columns, so a chunk is one statement.
    """
    table = cast(Table, model.__table__)
    n = 0
    batch: list[dict[str, object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            s.execute(insert(table), batch)
            n += len(batch)
            batch = []
    if batch:
        s.execute(insert(table), batch)
        n += len(batch)
    return n


def _ids(s: Session, layout_id: int, level: int) -> dict[str, int]:
    rows = s.execute(select(Area.gebiet_id, Area.id).where(Area.layout_id == layout_id, Area.level == level))
    return {gid: aid for gid, aid in rows}


def _moved_lonlat(lon: np.ndarray, lat: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points of the demo moved by each copy's offset: arrays (copies, points), NaN kept."""
    x, y = Transformer.from_crs(4326, EPSG, always_xy=True).transform(lon, lat)
    xs, ys = x[None, :] + offsets[:, :1], y[None, :] + offsets[:, 1:]
    lon2, lat2 = Transformer.from_crs(EPSG, 4326, always_xy=True).transform(xs.ravel(), ys.ravel())
    missing = np.broadcast_to(np.isnan(lon) | np.isnan(lat), xs.shape).ravel()
    lon2, lat2 = np.where(missing, np.nan, lon2), np.where(missing, np.nan, lat2)
    return lon2.reshape(xs.shape), lat2.reshape(xs.shape)


def _copied(
    base: list[dict[str, object]],
    gebiet_pos: list[int],
    area_ids: list[list[int]],
    id_column: str | None = None,
    lonlat: tuple[np.ndarray, np.ndarray] | None = None,
) -> Iterator[dict[str, object]]:
    """The demo's rows once per copy, with the copy's area ids, prefixed ids and moved points."""
    for i, ids in enumerate(area_ids):
        prefix = f"{i:04d}-"
        rows = [{**r, "area_id": ids[g]} for r, g in zip(base, gebiet_pos, strict=True)]
        if id_column:
            for r in rows:
                r[id_column] = prefix + str(r[id_column])
        if lonlat is not None:
            for r, lon, lat in zip(rows, lonlat[0][i].tolist(), lonlat[1][i].tolist(), strict=True):
                r["lon"], r["lat"] = (None if math.isnan(lon) else lon), (None if math.isnan(lat) else lat)
        yield from rows


def _area_rows(
    data: DemoData, copies: int, offsets: np.ndarray, layout_id: int
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """Rows of the three levels (Kreis, Gemeinde, Planungsraum); parent ids are filled in later."""
    pr = data.areas[data.areas["level"] == 1].reset_index(drop=True)
    geoms = np.asarray(pr.geometry.to_numpy())
    outline = shapely.union_all(geoms)
    gemeinden = []
    planungsraeume = []
    for i, (dx, dy) in enumerate(offsets.tolist()):
        shift = np.array([dx, dy])
        moved = shapely.transform(geoms, lambda c, shift=shift: c + shift)
        gid = f"{i:04d}"
        whole = shapely.transform(outline, lambda c, shift=shift: c + shift)
        gemeinden.append({"gebiet_id": gid, "name": f"Gemeinde {i + 1}", "geometry": whole, "parent": None})
        planungsraeume += [
            {"gebiet_id": f"{gid}-{g}", "name": name, "geometry": geom, "parent": gid}
            for g, name, geom in zip(pr["gebiet_id"], pr["name"], moved, strict=True)
        ]
    kreise = []
    for k in range(math.ceil(copies / KREIS_SIZE)):
        members = gemeinden[k * KREIS_SIZE : (k + 1) * KREIS_SIZE]
        for g in members:
            g["parent"] = f"K{k + 1:03d}"
        union = shapely.union_all([g["geometry"] for g in members])
        kreise.append(
            {"gebiet_id": f"K{k + 1:03d}", "name": f"Kreis {k + 1}", "geometry": union, "parent": None}
        )

    def rows(level: int, items: list[dict[str, object]]) -> list[dict[str, object]]:
        g = np.array([x["geometry"] for x in items], dtype=object)
        wkb, area = shapely.to_wkb(g).tolist(), shapely.area(g).tolist()
        return [
            {"layout_id": layout_id, "gebiet_id": x["gebiet_id"], "name": x["name"], "level": level,
             "parent": x["parent"], "geom_wkb": w, "area_m2": a}
            for x, w, a in zip(items, wkb, area, strict=True)
        ]  # fmt: skip

    return rows(0, kreise), rows(1, gemeinden), rows(2, planungsraeume)


def build_large(engine: Engine, copies: int = 344, seed: int = 2025) -> dict[str, int]:
    """Write ``copies`` × the demo city (``seed``) into a migrated, empty database in one transaction.

    Returns the rows per data kind (``gebiete``: areas of all three levels) and ``areas``: the
    Planungsräume (the level that carries the data).
    """
    if copies < 1:
        raise ValueError("copies muss mindestens 1 sein.")
    data = generate_demo(seed)
    n_pr = int((data.areas["level"] == 1).sum())
    offsets, _ = grid_offsets(copies, tuple(data.areas.total_bounds))
    n_kreise = math.ceil(copies / KREIS_SIZE)
    counts = {"gebiete": n_kreise + copies + copies * n_pr}
    counts |= {kind: copies * len(getattr(data, attr)) for kind, (attr, _) in _FACTS.items()}
    counts |= {"schulen": copies * len(data.schools), "schueler": copies * len(data.enrollment)}
    with session_scope(engine) as s:
        layout = AreaLayout(
            code=LAYOUT_CODE,
            name=f"Synthetisches Land ({copies} Gemeinden)",
            municipality=MUNICIPALITY,
            epsg=EPSG,
            stand=dt.date(2024, 1, 1),
            level_names="Kreis|Gemeinde|Planungsraum",
            is_active=True,
        )
        s.add(layout)
        s.flush()  # the write check and the trail ("angelegt") for the layout
        versions = demo_versions(
            layout.id,
            counts,
            "benchmark",
            f"Synthetisch erzeugt: {copies} Kopien der Demo-Kommune, Seed {seed}.",
            source=SOURCE,
            licence=LICENCE,
        )
        s.add_all(versions.values())
        s.flush()  # one "importiert" event per version, with its row count
        written: dict[str, int] = {"gebiete": 0}
        parent_ids: dict[str, int] = {}
        for level, rows in enumerate(_area_rows(data, copies, offsets, layout.id)):
            for r in rows:
                parent = r.pop("parent")
                r["parent_id"] = parent_ids[str(parent)] if parent is not None else None
            written["gebiete"] += _bulk(s, Area, rows)
            parent_ids = _ids(s, layout.id, level)
        pr_gids = data.areas.loc[data.areas["level"] == 1, "gebiet_id"].tolist()
        pos = {g: j for j, g in enumerate(pr_gids)}
        area_ids = [[parent_ids[f"{i:04d}-{g}"] for g in pr_gids] for i in range(copies)]

        def lonlat(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
            lon, lat = (df[c].astype(float).to_numpy() for c in ("lon", "lat"))
            return _moved_lonlat(lon, lat, offsets)

        for kind, (attr, columns) in _FACTS.items():
            df = getattr(data, attr)
            base = _records(df, columns, dataset_version_id=versions[kind].id)
            gebiet_pos = [pos[g] for g in df["gebiet_id"].tolist()]
            moved = lonlat(df) if kind in _WITH_COORDINATES else None
            facts = _copied(base, gebiet_pos, area_ids, _ID_COLUMNS.get(kind), moved)
            written[kind] = _bulk(s, FACT_MODELS[kind], facts)
        base = _records(data.schools, _SCHOOL_COLUMNS, dataset_version_id=versions["schulen"].id)
        gebiet_pos = [pos[g] for g in data.schools["gebiet_id"].tolist()]
        schools = _copied(base, gebiet_pos, area_ids, "schul_id", lonlat(data.schools))
        written["schulen"] = _bulk(s, School, schools)
        found = s.execute(
            select(School.schul_id, School.id).where(School.dataset_version_id == versions["schulen"].id)
        )
        school_ids = {sid: pk for sid, pk in found}
        base = _records(
            data.enrollment, ["school_year", "grade", "pupils", "classes"],
            dataset_version_id=versions["schueler"].id,
        )  # fmt: skip
        schul_ids = data.enrollment["schul_id"].tolist()

        def enrollment() -> Iterator[dict[str, object]]:
            for i in range(copies):
                for r, sid in zip(base, schul_ids, strict=True):
                    yield {**r, "school_id": school_ids[f"{i:04d}-{sid}"]}

        written["schueler"] = _bulk(s, Enrollment, enrollment())
        if written != counts:  # the versions' row counts must hold
            raise RuntimeError(f"Zeilenzahlen weichen ab: geschrieben {written}, erwartet {counts}.")
    return {**counts, "areas": copies * n_pr}
