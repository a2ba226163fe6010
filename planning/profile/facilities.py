"""The Kitas and schools of one area: the list, its map layers and table, and the map extent that
shows the area among its neighbours."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geodata.crs import to_wgs84
from planning.formatting import format_value, zuege
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


def _count(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else format_value(float(value), 0)


def facility_info(row: pd.Series) -> str:
    """A facility's line under its name on the map: Träger and places, or Schulart and Zügigkeit."""
    detail = row["detail"] if isinstance(row["detail"], str) and row["detail"] else "ohne Angabe"
    if row["kind"] == "Kita":
        return f"{detail} · {_count(row['places'])} Plätze"
    size = "" if pd.isna(row["zuege"]) else f" · {zuege(row['zuege'])}-zügig"
    return f"{detail}{size}"


def facility_layers(facilities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The map layers "Kitas" and "Schulen" (``lon, lat, name, info``) of the located facilities of
    :func:`facilities_in`, as :func:`planning.charts.add_points` draws them."""
    located = facilities[facilities["lon"].notna() & facilities["lat"].notna()]
    layers = {}
    for kind, label in (("Kita", "Kitas"), ("Schule", "Schulen")):
        part = located[located["kind"] == kind]
        info = [facility_info(r) for _, r in part.iterrows()]
        layers[label] = pd.DataFrame(
            {"lon": part["lon"], "lat": part["lat"], "name": part["name"], "info": info}
        )
    return layers


def facility_table(facilities: pd.DataFrame) -> pd.DataFrame:
    """The facilities of :func:`facilities_in` as German text cells: Art, Name, Träger / Schulart,
    Kita-Plätze, Züge, Ganztagsplätze (empty where a column does not apply to the kind)."""
    kinds = facilities["kind"]
    return pd.DataFrame(
        {
            "Art": kinds,
            "Name": facilities["name"],
            "Träger / Schulart": facilities["detail"].fillna("ohne Angabe"),
            "Kita-Plätze": [("" if pd.isna(v) else _count(v)) for v in facilities["places"]],
            "Züge": [
                ("" if k == "Kita" else "ohne Angabe" if pd.isna(v) else zuege(v))
                for k, v in zip(kinds, facilities["zuege"], strict=True)
            ],
            "Ganztagsplätze": [
                ("" if k == "Kita" else "ohne Angabe" if pd.isna(v) else _count(v))
                for k, v in zip(kinds, facilities["ganztag_places"], strict=True)
            ],
        }
    )


def facility_counts(facilities: pd.DataFrame) -> dict[str, Any]:
    """Counts of :func:`facilities_in` for the key figures: ``kitas``, their ``places`` (NA when no
    Kita lists any), ``schools`` and of them ``primary`` (Grundschulen)."""
    kitas = facilities[facilities["kind"] == "Kita"]
    schools = facilities[facilities["kind"] == "Schule"]
    return {
        "kitas": len(kitas),
        "places": kitas["places"].sum(min_count=1),
        "schools": len(schools),
        "primary": int((schools["detail"] == "Grundschule").sum()),
    }
