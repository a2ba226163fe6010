"""Import recipe for Berlin's open data on the LOR 2021 grid (542 Planungsräume in 12 Bezirke).

Read ``SOURCE.md`` beside the data. Decisions taken here:

- Areas: Planungsräume from the shapefile (EPSG:25833), ``PLR_ID`` as text with leading zeros;
  Bezirke (first two digits) as the level above, with their official names.
- Population: the EWR matrix of 31.12.2025 in its own bands (0, 1, 2, 3–4, 5, 6, 7, 8–9, …, 95+)
  plus total and sex; the two uninhabited PLRs are *missing*, never 0. The half-year reports
  (t2) give 31.12.2021–2024 in coarse bands (0–5, 6–14, 15–17, …); the 30.06. reports are not
  used, the series keeps the 31.12. Stichtag.
- Kitas: the crawls of 2026-07 (active) and 2025-10, and the WFS layer of Dec 2022, as three
  versions of one list – older ones stay readable. The geocoded coordinates that fall into
  another PLR than the list's ``geojson_feature_id`` are reported (warnings).
- Schools (902, no pupil counts), youth facilities (places summed per PLR, indicator
  ``jfe_plaetze``), and MSS 2021 (``-9999`` = missing): S1 → ``arbeitslosigkeit``,
  S3 → ``transferbezug``, S4 → ``kinderarmut`` (reference 31.12.2020).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geodata.join import area_of_points
from planning.imports.areas import check_area_frame
from planning.imports.bundles.base import BundleReport, check, fail_on_errors, file_meta, write_bundle
from planning.imports.readers import read_table
from planning.imports.validate import CheckContext, Checked
from planning.imports.writer import VersionMeta
from planning.indicators import INDICATORS

LAYOUT = "berlin-lor-2021"
BEZIRKE = {
    "01": "Mitte",
    "02": "Friedrichshain-Kreuzberg",
    "03": "Pankow",
    "04": "Charlottenburg-Wilmersdorf",
    "05": "Spandau",
    "06": "Steglitz-Zehlendorf",
    "07": "Tempelhof-Schöneberg",
    "08": "Neukölln",
    "09": "Treptow-Köpenick",
    "10": "Marzahn-Hellersdorf",
    "11": "Lichtenberg",
    "12": "Reinickendorf",
}
STAT = "Amt für Statistik Berlin-Brandenburg"
GEOPORTAL = "Geoportal Berlin / Senatsverwaltung"
T2_BANDS = {
    "inhabitants_age_below_6": "0-5",
    "inhabitants_age_6_15": "6-14",
    "inhabitants_age_15_18": "15-17",
    "inhabitants_age_18_27": "18-26",
    "inhabitants_age_27_45": "27-44",
    "inhabitants_age_45_55": "45-54",
    "inhabitants_age_55_65": "55-64",
    "inhabitants_age_above_65": "65+",
    "inhabitants": "insgesamt",
}
_EWR_BAND = re.compile(r"^E_E(\d{2})_(\d{2,3})$")


def _ewr_population(path: Path, context: CheckContext) -> Checked:
    raw = read_table(path)
    f = raw.frame
    bands = {c: (int(m[1]), int(m[2])) for c in f.columns if (m := _EWR_BAND.match(c))}
    columns: dict[str, tuple[str, str | None]] = {
        "E_E": ("insgesamt", None),
        "E_EM": ("insgesamt", "m"),
        "E_EW": ("insgesamt", "w"),
    }
    for col, (a, b) in bands.items():
        alter = f"{a}+" if b >= 110 else (str(a) if b - a == 1 else f"{a}-{b - 1}")
        columns[col] = (alter, None)
    parts, lines = [], []
    for col, (alter, sex) in columns.items():
        parts.append(
            pd.DataFrame(
                {"gebiet_id": f["RAUMID"], "jahr": 2025, "alter": alter, "anzahl": f[col], "geschlecht": sex}
            )
        )
        lines += list(raw.line_numbers)
    return check(pd.concat(parts, ignore_index=True), "bevoelkerung", path.name, context, lines)


def _t2_population(paths: list[Path], context: CheckContext) -> Checked:
    parts, lines = [], []
    for path in paths:
        year = int(re.search(r"(\d{4})-02", path.name)[1])  # type: ignore[index]
        raw = read_table(path)
        for col, alter in T2_BANDS.items():
            parts.append(
                pd.DataFrame(
                    {"gebiet_id": raw.frame["id"], "jahr": year, "alter": alter, "anzahl": raw.frame[col]}
                )
            )
            lines += list(raw.line_numbers)
    names = " + ".join(p.name for p in paths)
    return check(pd.concat(parts, ignore_index=True), "bevoelkerung", names, context, lines)


def _kita_list(path: Path, context: CheckContext) -> Checked:
    f = read_table(path).frame
    frame = pd.DataFrame(
        {
            "kita_id": f["id"],
            "name": f["name"],
            "traeger": f["sponsor_name"],
            "gebiet_id": f["geojson_feature_id"],
            "lon": f["lon"],
            "lat": f["lat"],
            "plaetze_gesamt": f["places"],
        }
    )
    return check(frame, "kitas", path.name, context)


def _kita_wfs(path: Path, context: CheckContext) -> Checked:
    g = gpd.read_file(path).to_crs(4326)
    frame = pd.DataFrame(
        {
            "kita_id": g["e_nr"],
            "name": g["e_name"],
            "traeger": g["t_name"],
            "lon": g.geometry.x.round(7),
            "lat": g.geometry.y.round(7),
            "plaetze_gesamt": g["e_platz"],
        }
    )
    return check(frame, "kitas", path.name, context)


def _schools(path: Path, context: CheckContext) -> Checked:
    g = gpd.read_file(path).to_crs(4326)
    frame = pd.DataFrame(
        {
            "schul_id": g["bsn"],
            "name": g["name"],
            "schulart": g["schulart"],
            "lon": g.geometry.x.round(7),
            "lat": g.geometry.y.round(7),
        }
    )
    return check(frame, "schulen", path.name, context)


def _indicators(youth: Path, mss: Path, context: CheckContext, areas: gpd.GeoDataFrame) -> Checked:
    j = gpd.read_file(youth).to_crs(4326)
    j = j.assign(
        gebiet_id=area_of_points(j.geometry.x, j.geometry.y, areas),
        places=pd.to_numeric(j["e_platz"], errors="coerce"),
    )
    jfe = j.groupby("gebiet_id", as_index=False)["places"].sum()
    rows = [
        pd.DataFrame(
            {
                "gebiet_id": jfe["gebiet_id"],
                "jahr": 2022,
                "kennzahl": "jfe_plaetze",
                "wert": jfe["places"],
                "zaehler": jfe["places"],
            }
        )
    ]
    m = read_table(mss).frame
    for col, code in (("S1", "arbeitslosigkeit"), ("S3", "transferbezug"), ("S4", "kinderarmut")):
        rows.append(pd.DataFrame({"gebiet_id": m["PLR_ID"], "jahr": 2020, "kennzahl": code, "wert": m[col]}))
    return check(pd.concat(rows, ignore_index=True), "kennzahlen", f"{youth.name} + {mss.name}", context)


def import_berlin(engine: Engine, directory: Path) -> BundleReport:
    """Load the Berlin folder of ``shared/data/real`` as one all-or-nothing transaction."""
    d = Path(directory)
    report = BundleReport("Berlin")
    shp = d / "geo" / "lor_planungsraeume_2021.shp"
    plr = gpd.read_file(shp)
    plr = plr.assign(
        gebiet_id=plr["PLR_ID"].astype(str),
        name=plr["PLR_NAME"],
        ober_gebiet_id=plr["BEZ"].astype(str),
        ober_name=plr["BEZ"].astype(str).map(BEZIRKE),
    )
    areas = check_area_frame(plr[["gebiet_id", "name", "ober_gebiet_id", "ober_name", "geometry"]], shp.name)
    fail_on_errors(areas)
    data_areas = areas.frame[["gebiet_id", "geometry"]]
    ids = frozenset(areas.frame["gebiet_id"]) | frozenset(BEZIRKE)
    context = CheckContext(area_ids=ids, areas=data_areas, indicator_codes=frozenset(INDICATORS))

    pop = d / "population"
    lic_stat = "CC BY 3.0 DE (Amt für Statistik Berlin-Brandenburg)"
    kita_lic = "CC BY 3.0 DE (SenBJF); Aufbereitung CC BY 4.0 (open-data-product)"
    geo_lic = "dl-de/by-2-0 (Geoportal Berlin; Lizenz vor Veröffentlichung prüfen)"
    t2 = sorted(pop.glob("berlin-lor-population-*-02-t2-planning-areas.csv"))
    ewr = pop / "EWR_L21_202512E_Matrix.csv"
    steps: list[tuple[str, Checked, VersionMeta]] = [
        (
            "bevoelkerung",
            _combine(_t2_population(t2, context), _ewr_population(ewr, context)),
            file_meta(
                ewr,
                "Einwohner:innen 31.12.2021–2025 (EWR-Matrix 2025; 2021–2024: A I 16, grobe Altersgruppen)",
                dt.date(2025, 12, 31),
                STAT,
                lic_stat,
            ),
        ),
        (
            "kitas",
            _kita_wfs(d / "kitas" / "kindertagesstaetten.geojson", context),
            file_meta(
                d / "kitas" / "kindertagesstaetten.geojson",
                "Kitas laut WFS (Dezember 2022)",
                dt.date(2022, 12, 1),
                f"{GEOPORTAL} für Bildung, Jugend und Familie (WFS kita)",
                geo_lic,
            ),
        ),
        (
            "kitas",
            _kita_list(d / "kitas" / "berlin-daycare-centers-2025-10-details.csv", context),
            file_meta(
                d / "kitas" / "berlin-daycare-centers-2025-10-details.csv",
                "Kitaliste Oktober 2025",
                dt.date(2025, 10, 1),
                "SenBJF, kitaliste_aktuell.xlsx (via open-data-product)",
                kita_lic,
            ),
        ),
        (
            "kitas",
            _kita_list(d / "kitas" / "berlin-daycare-centers-2026-07-details.csv", context),
            file_meta(
                d / "kitas" / "berlin-daycare-centers-2026-07-details.csv",
                "Kitaliste Juli 2026",
                dt.date(2026, 7, 1),
                "SenBJF, kitaliste_aktuell.xlsx (via open-data-product)",
                kita_lic,
            ),
        ),
        (
            "schulen",
            _schools(d / "schools" / "schulen.geojson", context),
            file_meta(
                d / "schools" / "schulen.geojson",
                "Schulen (WFS, Oktober 2023)",
                dt.date(2023, 10, 1),
                f"{GEOPORTAL} für Bildung, Jugend und Familie (WFS s_schulen)",
                geo_lic,
            ),
        ),
        (
            "kennzahlen",
            _indicators(
                d / "youth" / "jugendfreizeiteinrichtungen.geojson",
                d / "social" / "mss_2021_index_indikatoren.csv",
                context,
                data_areas,
            ),
            file_meta(
                d / "social" / "mss_2021_index_indikatoren.csv",
                "MSS 2021 und Jugendfreizeiteinrichtungen",
                dt.date(2020, 12, 31),
                "SenStadt, Monitoring Soziale Stadtentwicklung 2021; SenBJF, WFS jfe",
                geo_lic,
            ),
        ),
    ]
    return write_bundle(
        engine,
        report,
        areas,
        file_meta(
            shp,
            "LOR-Planungsräume 2021",
            dt.date(2021, 1, 1),
            f"{GEOPORTAL} für Stadtentwicklung (LOR 2021)",
            geo_lic,
        ),
        steps,
        layout_code=LAYOUT,
        municipality="Berlin",
        level_names=("Bezirk", "Planungsraum"),
        layout_name="LOR 2021 (542 Planungsräume)",
        area_label="LOR-Planungsräume 2021",
        allow_same_file=True,
    )


def _combine(*parts: Checked) -> Checked:
    """One dataset version from several checked files of the same kind (a time series from two sources)."""
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    return Checked(
        parts[0].kind, frame, [p for c in parts for p in c.problems], " + ".join(c.file_name for c in parts)
    )
