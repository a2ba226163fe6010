"""Areas must tile the municipality (issue 20): no area twice, no two overlapping, no holes between
them inside the outer boundary. Used by the area check (:mod:`planning.imports.areas`)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from planning.formatting import number
from planning.imports.problems import Problem

#: Overlap of two areas counted as an error above this (m²): digitising leaves slivers of a few
#: square centimetres (Flensburg's Stadtbezirke: at most 0.01 m²), a real overlap is far larger.
OVERLAP_TOLERANCE_M2 = 10.0
#: Holes inside the outer boundary reported above this (m²); smaller ones are digitising slivers.
GAP_TOLERANCE_M2 = 100.0
#: At most this many overlaps and gaps are named one by one; the rest are counted.
MAX_NAMED = 20


def _m2(value: float) -> str:
    return number(value) + " m²"


def coverage_problems(areas: gpd.GeoDataFrame, name: str) -> list[Problem]:
    """Areas must tile the municipality: no two the same, none overlapping, no holes between them.

    ``areas`` in a metric CRS with ``gebiet_id`` and ``_line``. The same geometry twice, or an
    overlap above :data:`OVERLAP_TOLERANCE_M2`, is an error (every sum over areas and every
    reachability figure would count the overlap twice), named with both ids and the area in m².
    A hole inside the outer boundary above :data:`GAP_TOLERANCE_M2` is a warning (a lake may be one)
    with the ids around it.
    """
    geoms = areas.geometry.to_numpy()
    ids = areas["gebiet_id"].astype(str).to_numpy()
    lines = areas["_line"].to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    problems: list[Problem] = []
    if len(left):
        shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        sizes = shapely.area(geoms)
        smaller = pd.Series(sizes[left]).clip(upper=sizes[right]).to_numpy()
        same = shapely.equals(geoms[left], geoms[right]) | (shared >= 0.999 * smaller)
        overlaps = [
            (i, j, a, bool(d))
            for i, j, a, d in zip(left, right, shared, same, strict=True)
            if d or a > OVERLAP_TOLERANCE_M2
        ]
        for i, j, a, duplicate in overlaps[:MAX_NAMED]:
            where = f"(Zeilen {lines[i]} und {lines[j]})"
            text = (
                f"Gebiete „{ids[i]}“ und „{ids[j]}“ haben dieselbe Fläche {where}: eine doppelte Geometrie."
                if duplicate and abs(sizes[i] - sizes[j]) <= 0.001 * max(sizes[i], sizes[j])
                else f"Gebiete „{ids[i]}“ und „{ids[j]}“ überlappen sich auf {_m2(a)} {where}; "
                "jede Summe über Gebiete zählte diese Fläche doppelt."
            )
            problems.append(Problem("Fehler", text, name, int(lines[j])))
        if len(overlaps) > MAX_NAMED:
            total = sum(a for *_, a, _ in overlaps)
            problems.append(
                Problem(
                    "Fehler",
                    f"Insgesamt {len(overlaps)} Überlappungen zwischen Gebieten ({_m2(total)}); die ersten "
                    f"{MAX_NAMED} sind einzeln genannt. Enthält die Datei zwei Ebenen übereinander?",
                    name,
                )
            )
    if any(p.blocking for p in problems):
        return problems
    covered = shapely.union_all(geoms)
    outline = shapely.union_all([shapely.Polygon(part.exterior) for part in shapely.get_parts(covered)])
    gaps = [g for g in shapely.get_parts(shapely.difference(outline, covered)) if g.area > GAP_TOLERANCE_M2]
    gaps.sort(key=lambda g: -g.area)
    for gap in gaps[:MAX_NAMED]:
        around = sorted({ids[k] for k in tree.query(gap.buffer(1.0), predicate="intersects")})
        shown = ", ".join(f"„{a}“" for a in around[:6]) + (" …" if len(around) > 6 else "")
        problems.append(
            Problem(
                "Warnung",
                f"Lücke von {_m2(gap.area)} zwischen den Gebieten {shown}: diese Fläche gehört zu "
                "keinem Gebiet (ein See? sonst fehlt ein Gebiet oder eine Grenze ist verschoben).",
                name,
            )
        )
    if len(gaps) > MAX_NAMED:
        problems.append(
            Problem("Warnung", f"Insgesamt {len(gaps)} Lücken; die {MAX_NAMED} größten sind genannt.", name)
        )
    return problems
