"""Import recipe for Flensburg's open data (OK Lab Flensburg, CC0; Stadt Flensburg Sozialatlas 2022).

Read ``SOURCE.md`` beside the data. What this recipe does with the traps documented there:

- Areas: the 13 Stadtteile (``AREA_ID`` STGT01…13), names without their number prefix. The 41
  statistical districts carry no data and are not imported.
- Join keys: ``id``/``Stadtteil_ID`` 1–13 → ``STGT{id:02d}``; headerless tables (tab_6) join on the
  name "01 Altstadt" → its number; Kitas carry only a Stadtteil *name* (normalised, then checked
  against the location – the one Kita whose attribute disagrees is reported).
- Population: totals per Stadtteil 2011, 2017–2021 from tab_1, under-18 from tab_6, and the 2021
  age bands from tab_5 (18–29 … 80+, and the overlapping 0–6 band). tab_5's own "gesamt" is *not*
  imported (Sandberg 7,602 is a transcription error, tab_1 and the bands say 6,702): it is checked
  against its bands and against tab_1, and every difference is a warning. tab_3's city series is
  checked for implausible jumps (80+ in 2020: 625) and reported.
- Schools have no grades: pupils are stored per school as "all grades" (Klassenstufe empty).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from planning.formatting import number
from planning.imports.agebands import format_band, parse_age_band
from planning.imports.areas import check_area_frame
from planning.imports.bundles.base import BundleReport, check, fail_on_errors, file_meta, write_bundle
from planning.imports.problems import InputFileError, Problem
from planning.imports.readers import RawTable, read_table
from planning.imports.validate import CheckContext, Checked, normalise_header
from planning.imports.values import parse_number
from planning.imports.writer import VersionMeta
from planning.indicators import INDICATORS

LAYOUT = "flensburg-stadtteile-2018"
SOURCE_ATLAS = "Stadt Flensburg, Sozialatlas 2022 (Tabellen via OK Lab Flensburg, open-social-map)"
LICENCE = "CC0 1.0 (OK Lab Flensburg); Daten: Stadt Flensburg"
YEARS_TAB1 = {"2011": 2011, "2017": 2017, "2018": 2018, "2019": 2019, "2020": 2020, "gesamt": 2021}
# tab_5's own column names are band labels: read by the one band parser (planning.imports.agebands)
TAB5_BANDS = {
    column: format_band(parse_age_band(column))
    for column in (
        "18_bis_unter_30",
        "30_bis_unter_45",
        "45_bis_unter_65",
        "65_bis_unter_80",
        "80_und_älter",
        "0_bis_unter_7",
    )
}


def _sid(number: str) -> str:
    return f"STGT{int(str(number).strip()):02d}"


def _sid_from_label(label: str) -> str:
    m = re.match(r"^\s*(\d{1,2})\s", label)
    if not m:
        raise InputFileError(Problem("Fehler", f"„{label}“ beginnt nicht mit einer Stadtteilnummer."))
    return _sid(m.group(1))


def _meta(path: Path, label: str, stand: dt.date, source: str = SOURCE_ATLAS) -> VersionMeta:
    return file_meta(path, label, stand, source, LICENCE)


def _long(
    raw: RawTable, id_col: str, value_cols: Mapping[str, object], id_fn: Callable[[str], str] = _sid
) -> tuple[pd.DataFrame, list[int]]:
    """Wide table (one column per year/band) → long rows with the source line of each row."""
    rows, lines = [], []
    for pos, (_, rec) in enumerate(raw.frame.iterrows()):
        for col, key in value_cols.items():
            rows.append({"gebiet_id": id_fn(rec[id_col]), "key": key, "value": rec[col]})
            lines.append(raw.line_numbers[pos])
    return pd.DataFrame(rows), lines


def import_flensburg(engine: Engine, directory: Path) -> BundleReport:
    """Load the Flensburg folder of ``shared/data/real`` as one all-or-nothing transaction."""
    d = Path(directory)
    report = BundleReport("Flensburg")
    steps: list[tuple[str, Checked, VersionMeta]] = []

    # 1 Areas -------------------------------------------------------------------------------------------
    geo_path = d / "geo" / "flensburg_stadtteile.geojson"
    gdf = gpd.read_file(geo_path)
    gdf = gdf.assign(gebiet_id=gdf["AREA_ID"], name=gdf["AREA_NAME"].str.replace(r"^\d+\s+", "", regex=True))
    areas = check_area_frame(gdf[["gebiet_id", "name", "geometry"]], geo_path.name)
    fail_on_errors(areas)
    context = CheckContext(
        area_ids=frozenset(areas.frame["gebiet_id"]),
        areas=areas.frame[["gebiet_id", "geometry"]],
        indicator_codes=frozenset(INDICATORS),
    )
    names = {
        normalise_header(n): g for g, n in zip(areas.frame["gebiet_id"], areas.frame["name"], strict=True)
    }

    # 2 Population ----------------------------------------------------------------------------------------
    pop_dir = d / "population"
    tab1_path = next(pop_dir.glob("tab_1_*.csv"))
    tab1 = read_table(tab1_path)
    long1, lines1 = _long(tab1, "id", YEARS_TAB1)
    tab6_path = next(pop_dir.glob("tab_6_*.csv"))
    tab6 = read_table(tab6_path, header=False)
    cols6 = {f"Spalte {i}": y for i, y in enumerate((2011, 2017, 2018, 2019, 2020, 2021), start=2)}
    long6, lines6 = _long(tab6, "Spalte 1", cols6, id_fn=_sid_from_label)
    tab5_path = next(pop_dir.glob("tab_5_*.csv"))
    tab5 = read_table(tab5_path)
    long5, lines5 = _long(tab5, "id", TAB5_BANDS)
    pop = pd.concat(
        [
            long1.assign(jahr=long1["key"], alter="insgesamt"),
            long6.assign(jahr=long6["key"], alter="0-17"),
            long5.assign(jahr=2021, alter=long5["key"]),
        ],
        ignore_index=True,
    ).rename(columns={"value": "anzahl"})[["gebiet_id", "jahr", "alter", "anzahl"]]
    pop_checked = check(
        pop,
        "bevoelkerung",
        f"{tab1_path.name} + {tab6_path.name} + {tab5_path.name}",
        context,
        lines1 + lines6 + lines5,
    )
    steps.append(
        (
            "bevoelkerung",
            pop_checked,
            _meta(tab1_path, "Einwohner:innen 2011, 2017–2021 (Sozialatlas 2022)", dt.date(2021, 12, 31)),
        )
    )
    report.problems += _tab5_as_delivered(tab5, tab5_path.name, context, tab1)
    report.problems += _tab3_jumps(read_table(next(pop_dir.glob("tab_3_*.csv"))))

    # 3 Births -------------------------------------------------------------------------------------------
    tab2_path = next(pop_dir.glob("tab_2_*.csv"))
    tab2 = read_table(tab2_path)
    cols2 = {
        "Anzahl_2011": 2011,
        "Anzahl_2017": 2017,
        "Anzahl_2018": 2018,
        "Anzahl_2019": 2019,
        "Anzahl_2020": 2020,
        "Anzahl_gesamt": 2021,
    }
    long2, lines2 = _long(tab2, "id", cols2)
    births = long2.rename(columns={"key": "jahr", "value": "anzahl"})[["gebiet_id", "jahr", "anzahl"]]
    steps.append(
        (
            "geburten",
            check(births, "geburten", tab2_path.name, context, lines2),
            _meta(tab2_path, "Geburten 2011, 2017–2021 (Sozialatlas 2022)", dt.date(2021, 12, 31)),
        )
    )

    # 4 Kitas --------------------------------------------------------------------------------------------
    kita_path = d / "kitas" / "kitas_in_flensburg.geojson"
    k = gpd.read_file(kita_path).to_crs(4326)
    kitas = pd.DataFrame(
        {
            "kita_id": k["slug"],
            "name": k["facility"],
            "traeger": k["institution"],
            "gebiet_id": [names.get(normalise_header(str(x))) for x in k["district"]],
            "lon": k.geometry.x.round(6),
            "lat": k.geometry.y.round(6),
            "plaetze_gesamt": k["childcare_places"],
        }
    )
    steps.append(
        (
            "kitas",
            check(kitas, "kitas", kita_path.name, context),
            _meta(
                kita_path,
                "Kitas Flensburg (Land SH, Januar 2024)",
                dt.date(2024, 1, 17),
                "Land Schleswig-Holstein, Kindertagesstätten; Stadt Flensburg (via OK Lab Flensburg)",
            ),
        )
    )

    # 5 Schools and pupils -------------------------------------------------------------------------------
    school_path = d / "schools" / "schulen_flensburg.csv"
    sraw = read_table(school_path).frame
    schools = pd.DataFrame(
        {
            "schul_id": sraw["Nummer"],
            "name": sraw["Schulname"],
            "schulart": [_schulart(r) for _, r in sraw.iterrows()],
            "lon": sraw["Lon"],
            "lat": sraw["Lat"],
        }
    )
    school_src = (
        "Statistikamt Nord, Verzeichnis der allgemeinbildenden Schulen 2022/23 (via OK Lab Flensburg)"
    )
    steps.append(
        (
            "schulen",
            check(schools, "schulen", school_path.name, context),
            _meta(school_path, "Schulen Flensburg 2022/23", dt.date(2022, 9, 1), school_src),
        )
    )
    pupils = pd.DataFrame({"schul_id": sraw["Nummer"], "schuljahr": "2022/23", "schueler": sraw["Schüler"]})
    school_ctx = CheckContext(area_ids=context.area_ids, school_ids=frozenset(sraw["Nummer"].dropna()))
    steps.append(
        (
            "schueler",
            check(pupils, "schueler", school_path.name, school_ctx),
            _meta(school_path, "Schüler:innen je Schule 2022/23", dt.date(2022, 9, 1), school_src),
        )
    )

    # 6 Social indicators --------------------------------------------------------------------------------
    social = d / "social"
    t18_path = next(social.glob("tab18_*.csv"))
    t18 = read_table(t18_path)
    t20_path = next(social.glob("tab_20_*.csv"))
    t20 = read_table(t20_path)
    rows, lines = [], []
    for raw, code, pattern in (
        (t18, "sgb2_quote", ("Anzahl_{y}", "Anteil_in_%_{y}")),
        (t20, "kinderarmut", ("{y}_Anzahl", "{y}_Anteil")),
    ):
        for pos, (_, rec) in enumerate(raw.frame.iterrows()):
            for y in (2018, 2019, 2020, 2021):
                rows.append(
                    {
                        "gebiet_id": _sid(rec["Stadtteil_ID"]),
                        "jahr": y,
                        "kennzahl": code,
                        "wert": rec[pattern[1].format(y=y)],
                        "zaehler": rec[pattern[0].format(y=y)],
                    }
                )
                lines.append(raw.line_numbers[pos])
    steps.append(
        (
            "kennzahlen",
            check(pd.DataFrame(rows), "kennzahlen", f"{t18_path.name} + {t20_path.name}", context, lines),
            _meta(t18_path, "SGB II und Kinderarmut 2018–2021 (Sozialatlas 2022)", dt.date(2021, 12, 31)),
        )
    )

    # Write everything in one transaction -----------------------------------------------------------------
    return write_bundle(
        engine,
        report,
        areas,
        _meta(
            geo_path,
            "Stadtteile Flensburg (Stand 2018)",
            dt.date(2018, 1, 1),
            "Stadt Flensburg, Kleinräumige Gliederung (via OK Lab Flensburg)",
        ),
        steps,
        layout_code=LAYOUT,
        municipality="Flensburg",
        level_names=("Stadtteil",),
        layout_name="Stadtteile Flensburg (2018)",
        area_label="Stadtteile",
    )


def _schulart(rec: pd.Series) -> str:
    for col, art in (
        ("Grundschule", "Grundschule"),
        ("Gemeinschaftsschule", "Gemeinschaftsschule"),
        ("Gymnasium", "Gymnasium"),
        ("Förderschule", "Förderschule"),
    ):
        if str(rec.get(col) or "").strip() == "1":
            if art == "Grundschule" and str(rec.get("Gemeinschaftsschule") or "").strip() == "1":
                return "Gemeinschaftsschule"
            return art
    return "Sonstige Schule"


def _tab5_as_delivered(tab5: RawTable, name: str, context: CheckContext, tab1: RawTable) -> list[Problem]:
    """tab_5 as delivered: its "gesamt" vs its own age groups and vs tab_1 (warnings, nothing imported)."""
    problems = []
    totals1 = {_sid(r["id"]): parse_number(r["gesamt"]) for _, r in tab1.frame.iterrows()}
    parts = [
        "unter_18",
        "18_bis_unter_30",
        "30_bis_unter_45",
        "45_bis_unter_65",
        "65_bis_unter_80",
        "80_und_älter",
    ]
    for pos, (_, r) in enumerate(tab5.frame.iterrows()):
        gid, line = _sid(r["id"]), tab5.line_numbers[pos]
        total = parse_number(r["gesamt"])
        band_sum = sum(parse_number(r[c]) or 0 for c in parts)
        if total is not None and band_sum != total:
            problems.append(
                Problem(
                    "Warnung",
                    f"{r['stadtteil']}: „gesamt“ = {number(total)}, die Altersgruppen ergeben "
                    f"{number(band_sum)} (Differenz {number(total - band_sum, signed=True)}). "
                    "Übernommen wird die Summe aus Tabelle 1.",
                    name,
                    line,
                    "gesamt",
                )
            )
        if total is not None and totals1.get(gid) is not None and totals1[gid] != total:
            problems.append(
                Problem(
                    "Warnung",
                    f"{r['stadtteil']}: Tabelle 5 nennt {number(total)} Einwohner:innen 2021, "
                    f"Tabelle 1 {number(totals1[gid])}.",
                    name,
                    line,
                    "gesamt",
                )
            )
    return problems


def _tab3_jumps(tab3: RawTable, factor: float = 3.0) -> list[Problem]:
    """City age groups over time: a value that jumps by more than ``factor`` is a transcription error."""
    problems = []
    years = [c for c in tab3.frame.columns if re.fullmatch(r"\d{4}", c)]
    for pos, (_, r) in enumerate(tab3.frame.iterrows()):
        values = [parse_number(r[y]) for y in years]
        for (y0, v0), (y1, v1) in zip(
            zip(years, values, strict=True), zip(years[1:], values[1:], strict=True), strict=False
        ):
            if v0 and v1 and (v1 / v0 > factor or v0 / v1 > factor):
                problems.append(
                    Problem(
                        "Warnung",
                        f"Unplausibler Sprung bei „{r['label']}“: {y0}: {number(v0)} → {y1}: "
                        f"{number(v1)}. Vermutlich ein Übertragungsfehler (Komma verrutscht); der "
                        "Wert wird nicht verwendet.",
                        tab3.file_name,
                        tab3.line_numbers[pos],
                        y1,
                    )
                )
    return problems
