"""The Kitas and schools of one area, and the map extent that shows it among its neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.crs import to_wgs84
from planning.profile.areas import area_level, data_areas
from planning.repository import PlanningData


def facilities_in(data: PlanningData, gebiet_id: str, level: int | None = None) -> pd.DataFrame:
    """Kitas in operation and schools located in the area.

    Columns ``kind`` (Kita/Schule), ``name, detail`` (Träger resp. Schulart), ``places`` (Kita
    places), ``zuege``, ``ganztag_places``, ``gebiet_id, lon, lat``; Kitas first, then by name.
    """
    if level is not None and area_level(data.areas, gebiet_id) != level:
        raise ValueError(f"Gebiet '{gebiet_id}' liegt nicht auf Ebene {level}.")
    ids = set(data_areas(data, gebiet_id))
    cols = ["kind", "name", "detail", "places", "zuege", "ganztag_places", "gebiet_id", "lon", "lat"]
    parts = []
    k = data.kitas
    if not k.empty:
        k = k[k["gebiet_id"].isin(ids) & (k["status"] == "in Betrieb")]
        parts.append(
            pd.DataFrame(
                {
                    "kind": "Kita",
                    "name": k["name"],
                    "detail": k["traeger"],
                    "places": k["places_total"].astype("Float64"),
                    "zuege": pd.Series(np.nan, index=k.index, dtype="Float64"),
                    "ganztag_places": pd.Series(np.nan, index=k.index, dtype="Float64"),
                    "gebiet_id": k["gebiet_id"],
                    "lon": k["lon"],
                    "lat": k["lat"],
                }
            )
        )
    s = data.schools
    if not s.empty:
        s = s[s["gebiet_id"].isin(ids)]
        parts.append(
            pd.DataFrame(
                {
                    "kind": "Schule",
                    "name": s["name"],
                    "detail": s["schulart"],
                    "places": pd.Series(np.nan, index=s.index, dtype="Float64"),
                    "zuege": pd.to_numeric(s["zuege"], errors="coerce").astype("Float64"),
                    "ganztag_places": s["ganztag_places"].astype("Float64"),
                    "gebiet_id": s["gebiet_id"],
                    "lon": s["lon"],
                    "lat": s["lat"],
                }
            )
        )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["kind", "name"], key=lambda c: c.str.lower()).reset_index(drop=True)[cols]


def map_extent(
    data: PlanningData, gebiet_id: str, margin: float = 0.25
) -> tuple[list[str], tuple[float, float, float, float]]:
    """The neighbours of the area on its level (sharing a border) and its WGS84 bounds, widened by
    ``margin`` of its size on each side so the neighbourhood shows around it."""
    areas = data.areas
    level = area_level(areas, gebiet_id)
    same = areas[areas["level"] == level]
    geom = same.loc[same["gebiet_id"] == gebiet_id, "geometry"].iloc[0]
    tol = 5.0 if same.crs is not None and same.crs.is_projected else 5e-5  # closes digitising slivers
    touching = same[same.geometry.intersects(geom.buffer(tol)) & (same["gebiet_id"] != gebiet_id)]
    minx, miny, maxx, maxy = (float(v) for v in to_wgs84(same[same["gebiet_id"] == gebiet_id]).total_bounds)
    dx, dy = (maxx - minx) * margin, (maxy - miny) * margin
    return sorted(touching["gebiet_id"]), (minx - dx, miny - dy, maxx + dx, maxy + dy)
